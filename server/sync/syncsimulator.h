#pragma once

#include "core/config.h"
#include "core/engine.h"
#include "freeswitchevents.h"

#include <QElapsedTimer>
#include <QTimer>

namespace Switchboard {

class RedisClient;

// --simulate: writes FreeSWITCH channel events and background jobs into the local streams at a
// steady rate, as a PBX would, so that a newcomer sees replication within seconds. On the local
// stack's own servers it also keeps both ends of each stream at simulate.streamMaxLength entries:
// nothing else trims them there, and at the default rate they grew by ~5.5 GB a day each, in RAM.
// A server the configuration names is never trimmed.
class SyncSimulator : public Engine
{
    Q_OBJECT
public:
    SyncSimulator(const SyncConfig &sync, const SimulateConfig &simulate, SnapshotBoard *board,
                  QObject *parent = nullptr);

public Q_SLOTS:
    void start() override;
    void stop(int deadlineMs) override;

private:
    void tick();
    void trimRemote();

    SyncConfig m_sync;
    SimulateConfig m_simulate;
    RedisClient *m_client = nullptr;
    RedisClient *m_remote = nullptr; // the local stack's remote, which nothing else trims
    QTimer m_remoteTrim;
    FreeSwitchEvents m_events;
    QTimer m_timer;
    QElapsedTimer m_clock;
    quint64 m_written = 0;
    quint64 m_sentSinceStart = 0;
    quint64 m_failed = 0;
    int m_inFlight = 0;
    bool m_stopping = false;
};

} // namespace Switchboard
