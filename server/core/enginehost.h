#pragma once

#include "engine.h"

#include <QObject>
#include <QThread>
#include <memory>
#include <vector>

namespace Switchboard {

// Owns the engines and their threads: one QThread per engine, started by a queued start(),
// stopped by a queued stop() that drains, then the engine deletes itself in its own thread and
// the thread ends. The host lives in the main thread.
class EngineHost : public QObject
{
    Q_OBJECT
public:
    explicit EngineHost(QObject *parent = nullptr);
    ~EngineHost() override;

    SnapshotBoard *board() { return &m_board; }

    // Takes the engine (no parent) and gives it a thread. Call before startAll().
    void add(Engine *engine);
    void startAll();
    // Stops the engines in the reverse order of add(); emits stopped() when every thread has
    // ended, at the latest shortly after `deadlineMs`.
    void stopAll(int deadlineMs);
    bool isRunning() const { return !m_threads.empty(); }

Q_SIGNALS:
    void stopped();

private:
    void threadEnded();

    SnapshotBoard m_board;
    std::vector<std::pair<Engine *, QThread *>> m_threads;
    bool m_stopping = false;
};

} // namespace Switchboard
