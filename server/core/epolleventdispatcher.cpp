#include "epolleventdispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>
#include <algorithm>
#include <cerrno>
#include <ctime>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Switchboard {

namespace {

qint64 nowMs()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("EpollEventDispatcher: epoll_create1/eventfd failed: %s", strerror(errno));
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeFd);
    ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelaxed(0);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();
    if (m_interrupted.loadRelaxed())
        return false;

    // Wait only when asked to, and never past the nearest timer. A postEvent() that came
    // while the posted events were sent has written the eventfd: the wait ends at once.
    int timeout = 0;
    if (flags.testFlag(QEventLoop::WaitForMoreEvents)) {
        const qint64 untilTimer =
            flags.testFlag(QEventLoop::X11ExcludeTimers) ? -1 : msUntilNextTimer();
        timeout = untilTimer < 0 ? -1 : int(std::min<qint64>(untilTimer, 24 * 3600 * 1000));
    }
    constexpr int maxEvents = 256;
    epoll_event events[maxEvents];
    if (timeout != 0)
        Q_EMIT aboutToBlock();
    int ready = epoll_wait(m_epoll, events, maxEvents, timeout);
    if (timeout != 0)
        Q_EMIT awake();
    if (ready < 0)
        ready = 0; // EINTR: a signal; the loop turns again

    bool handled = false;
    // Activations are collected first and each notifier is looked up again just before its
    // event: a handler may disable or delete another notifier of this batch.
    std::vector<std::pair<int, int>> activations; // fd, notifier type
    activations.reserve(size_t(ready) * 2);
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd) {
            quint64 count = 0;
            while (::read(m_wakeFd, &count, sizeof count) > 0) { }
            handled = true;
            continue;
        }
        const uint32_t what = events[i].events;
        if (what & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
            activations.emplace_back(fd, QSocketNotifier::Read);
        if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            activations.emplace_back(fd, QSocketNotifier::Write);
        if (what & EPOLLPRI)
            activations.emplace_back(fd, QSocketNotifier::Exception);
    }
    if (!flags.testFlag(QEventLoop::ExcludeSocketNotifiers)) {
        for (const auto &[fd, type] : activations) {
            const auto found = m_notifiers.constFind(fd);
            if (found == m_notifiers.cend())
                continue;
            QSocketNotifier *notifier = (*found)[size_t(type)];
            if (!notifier)
                continue;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            handled = true;
        }
    }
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        handled = fireDueTimers() || handled;
    return handled;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const bool known = m_notifiers.contains(fd);
    Notifiers &notifiers = m_notifiers[fd];
    notifiers[size_t(notifier->type())] = notifier;
    updateInterest(fd, notifiers, known);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto found = m_notifiers.find(fd);
    if (found == m_notifiers.end())
        return;
    if ((*found)[size_t(notifier->type())] == notifier)
        (*found)[size_t(notifier->type())] = nullptr;
    const Notifiers notifiers = *found;
    if (std::all_of(notifiers.cbegin(), notifiers.cend(),
                    [](QSocketNotifier *n) { return n == nullptr; }))
        m_notifiers.erase(found);
    updateInterest(fd, notifiers, true);
}

void EpollEventDispatcher::updateInterest(int fd, const Notifiers &notifiers, bool wasRegistered)
{
    epoll_event event {};
    event.data.fd = fd;
    if (notifiers[QSocketNotifier::Read])
        event.events |= EPOLLIN | EPOLLRDHUP;
    if (notifiers[QSocketNotifier::Write])
        event.events |= EPOLLOUT;
    if (notifiers[QSocketNotifier::Exception])
        event.events |= EPOLLPRI;
    if (event.events == 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        return;
    }
    // Level-triggered, like poll(): a notifier that did not read everything is told again.
    if (epoll_ctl(m_epoll, wasRegistered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0
        && errno == (wasRegistered ? ENOENT : EEXIST))
        epoll_ctl(m_epoll, wasRegistered ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    m_timers.push_back({timerId, interval, timerType, object, nowMs() + interval, false});
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto found = std::find_if(m_timers.begin(), m_timers.end(),
                                    [timerId](const Timer &t) { return t.id == timerId; });
    if (found == m_timers.end())
        return false;
    m_timers.erase(found);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const auto before = m_timers.size();
    std::erase_if(m_timers, [object](const Timer &t) { return t.object == object; });
    return m_timers.size() != before;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (const Timer &timer : m_timers) {
        if (timer.object == object)
            timers.append(TimerInfo(timer.id, int(timer.intervalMs), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    for (const Timer &timer : m_timers) {
        if (timer.id == timerId)
            return int(std::max<qint64>(0, timer.dueMs - nowMs()));
    }
    return -1;
}

qint64 EpollEventDispatcher::msUntilNextTimer() const
{
    qint64 next = -1;
    const qint64 now = nowMs();
    for (const Timer &timer : m_timers) {
        if (timer.firing)
            continue;
        const qint64 left = std::max<qint64>(0, timer.dueMs - now);
        next = next < 0 ? left : std::min(next, left);
    }
    return next;
}

bool EpollEventDispatcher::fireDueTimers()
{
    // The ids due now; each is looked up again before its event, since a timer event may
    // stop, start or delete any timer.
    const qint64 now = nowMs();
    std::vector<int> due;
    for (const Timer &timer : m_timers) {
        if (!timer.firing && timer.dueMs <= now)
            due.push_back(timer.id);
    }
    for (const int id : due) {
        auto found = std::find_if(m_timers.begin(), m_timers.end(),
                                  [id](const Timer &t) { return t.id == id; });
        if (found == m_timers.end())
            continue;
        // The next due time is set before the event (which may run a nested loop): one
        // interval on, or from now when the loop fell behind.
        found->dueMs = std::max(found->dueMs + found->intervalMs, now);
        found->firing = true;
        QObject *object = found->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        found = std::find_if(m_timers.begin(), m_timers.end(),
                             [id](const Timer &t) { return t.id == id; });
        if (found != m_timers.end())
            found->firing = false;
    }
    return !due.empty();
}

void EpollEventDispatcher::wakeUp()
{
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t written = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelaxed(1);
    wakeUp();
}

} // namespace Switchboard
