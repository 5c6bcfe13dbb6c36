#pragma once

// An event dispatcher on Linux epoll, for the HTTP thread. Qt's own dispatchers (UNIX and glib)
// call poll() with every registered socket on each turn of the loop: with 10 000 long polls
// held, each an idle keep-alive connection with a read notifier, one turn cost ~3 ms, and a
// wake-up needs several turns (measured: publish-to-answer p50 30 ms). With epoll a turn costs
// what its ready sockets cost, however many wait.
//
// What it does, as Qt's dispatchers do: posted events first, then the sockets epoll reports
// (QEvent::SockAct to each enabled notifier), then the timers that are due (QTimerEvent), and
// it blocks until the nearest timer when asked to wait. wakeUp() writes to an eventfd, so a
// postEvent() from another thread ends the wait.

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <QHash>
#include <array>
#include <vector>

namespace Switchboard {

class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    // The notifiers of one descriptor, by QSocketNotifier::Type (Read, Write, Exception).
    using Notifiers = std::array<QSocketNotifier *, 3>;

    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 dueMs = 0; // on the monotonic clock
        bool firing = false; // its event is being delivered (a nested loop must not re-fire it)
    };

    void updateInterest(int fd, const Notifiers &notifiers, bool wasRegistered);
    bool fireDueTimers();
    qint64 msUntilNextTimer() const; // -1: none

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_interrupted = 0;
    QHash<int, Notifiers> m_notifiers;
    std::vector<Timer> m_timers;
};

} // namespace Switchboard
