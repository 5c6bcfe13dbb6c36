#pragma once

#include "timeoutsstore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <array>
#include <functional>

namespace Switchboard {

class RedisClient;

struct ScanResult
{
    bool fenced = false; // the lease is not (or no longer) ours: nothing more was written
    QString error; // Redis failed; what was written before stays written
    std::array<qint64, 3> notified {}; // per level
    qint64 elapsedUs = 0;
    int calls = 0; // scan script calls
    // timeout_events entries over timeouts.stream_max_length, kept because the notifiers have
    // not acked them (-1: no call trimmed)
    qint64 streamOverLength = -1;
    qint64 droppedUnacked = 0; // not acked, dropped at ten times timeouts.stream_max_length
    qint64 total() const { return notified[0] + notified[1] + notified[2]; }
};

// One check of the leader: scan script calls (timeoutsstore.cpp) until nothing due is left.
// Calls are pipelined, `pipeline` in flight, so Redis never waits for a round trip between two
// batches; each call is atomic and fenced on its own, and a batch of `batch` notifications
// blocks Redis for a few milliseconds at most, so other clients of the same server (polling,
// the HTTP routes) are served between batches.
class TimeoutScanner : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        qint64 intervalMs = 30000;
        int batch = 1000; // at most 3000: Redis' Lua passes at most ~8000 arguments to a call
        int pipeline = 2;
        qint64 streamMaxLength = 1000000;
    };

    TimeoutScanner(RedisClient *redis, Options options, QObject *parent = nullptr);

    // One check: script calls until nothing due is left, or fenced, or an error. `done` runs in
    // this thread.
    void check(const QByteArray &pod, qint64 epoch, std::function<void(const ScanResult &)> done);
    bool busy() const { return bool(m_done); }

private:
    void sendMore();
    void stepDone(const TimeoutsStore::ScanStep &step);

    TimeoutsStore m_store;
    Options m_options;
    QByteArray m_pod;
    qint64 m_epoch = 0;
    std::function<void(const ScanResult &)> m_done;
    ScanResult m_result;
    QElapsedTimer m_clock;
    int m_inFlight = 0;
    bool m_finished = false; // a call came back with nothing more, fenced or failed
};

} // namespace Switchboard
