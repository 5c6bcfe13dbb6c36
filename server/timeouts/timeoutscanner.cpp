#include "timeoutscanner.h"

#include <algorithm>

namespace Switchboard {

TimeoutScanner::TimeoutScanner(RedisClient *redis, Options options, QObject *parent)
    : QObject(parent)
    , m_store(redis, options.intervalMs)
    , m_options(options)
{
    m_options.batch = std::clamp(m_options.batch, 1, 3000);
    m_options.pipeline = std::max(1, m_options.pipeline);
}

void TimeoutScanner::check(const QByteArray &pod, qint64 epoch,
                           std::function<void(const ScanResult &)> done)
{
    Q_ASSERT(!busy());
    m_pod = pod;
    m_epoch = epoch;
    m_done = std::move(done);
    m_result = {};
    m_finished = false;
    m_clock.start();
    sendMore();
}

void TimeoutScanner::sendMore()
{
    while (!m_finished && m_inFlight < m_options.pipeline) {
        ++m_inFlight;
        ++m_result.calls;
        m_store.scan(m_pod, m_epoch, m_options.batch, m_options.streamMaxLength,
                     [this](const TimeoutsStore::ScanStep &step) { stepDone(step); });
    }
}

void TimeoutScanner::stepDone(const TimeoutsStore::ScanStep &step)
{
    --m_inFlight;
    for (size_t i = 0; i < 3; ++i)
        m_result.notified[i] += step.notified[i];
    if (step.error.isEmpty() && !step.fenced && step.notified != std::array<qint64, 3> {})
        m_result.streamOverLength = step.streamOverLength;
    m_result.droppedUnacked += step.droppedUnacked;
    if (step.fenced)
        m_result.fenced = true;
    if (!step.error.isEmpty() && m_result.error.isEmpty())
        m_result.error = step.error;
    if (step.fenced || !step.error.isEmpty() || !step.more)
        m_finished = true;
    sendMore();
    if (m_inFlight > 0)
        return;
    m_result.elapsedUs = m_clock.nsecsElapsed() / 1000;
    auto done = std::exchange(m_done, nullptr);
    done(m_result);
}

} // namespace Switchboard
