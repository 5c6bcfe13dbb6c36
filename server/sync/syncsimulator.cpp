#include "syncsimulator.h"

#include "core/metrics.h"
#include "redis/redisclient.h"

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

class SimulatorSnapshot : public EngineSnapshot
{
public:
    QString engineName() const override { return u"simulator"_s; }
    EngineHealth health() const override { return {}; }
    QJsonObject toJson() const override
    {
        return {{u"status"_s, u"healthy"_s},
                {u"events_per_second"_s, rate},
                {u"written"_s, double(written)},
                {u"failed"_s, double(failed)}};
    }
    void writeMetrics(MetricsWriter &out) const override
    {
        out.counter("switchboard_simulator_events_total", "Simulated FreeSWITCH entries written",
                    {}, double(written));
    }

    double rate = 0;
    quint64 written = 0;
    quint64 failed = 0;
};

} // namespace

SyncSimulator::SyncSimulator(const SyncConfig &sync, const SimulateConfig &simulate,
                             SnapshotBoard *board, QObject *parent)
    : Engine(u"simulator"_s, board, HealthAwaits::Nothing, parent)
    , m_sync(sync)
    , m_simulate(simulate)
{
    m_timer.setParent(this);
    m_timer.setInterval(20);
    connect(&m_timer, &QTimer::timeout, this, &SyncSimulator::tick);
    m_remoteTrim.setParent(this);
    m_remoteTrim.setInterval(5000);
    connect(&m_remoteTrim, &QTimer::timeout, this, &SyncSimulator::trimRemote);
}

void SyncSimulator::start()
{
    RedisClient::Options options;
    options.endpoint = m_sync.local;
    options.name = u"simulator"_s;
    m_client = new RedisClient(options, this);
    m_client->open();
    if (!m_sync.remote.configured) {
        options.endpoint = m_sync.remote;
        options.name = u"simulator-remote"_s;
        m_remote = new RedisClient(options, this);
        connect(m_remote, &RedisClient::connected, this, &SyncSimulator::trimRemote);
        m_remote->open();
        m_remoteTrim.start();
    }
    m_clock.start();
    m_timer.start();
}

void SyncSimulator::trimRemote()
{
    if (!m_remote->isConnected())
        return;
    for (const QString &stream : {m_sync.streamEvents, m_sync.streamJobs}) {
        RedisCommand command("XTRIM");
        command.arg(stream).arg(QByteArrayView("MAXLEN")).arg(QByteArrayView("~"));
        command.arg(m_simulate.streamMaxLength);
        m_remote->send(command, [](const RedisReply &) {});
    }
}

void SyncSimulator::tick()
{
    if (!m_client->isConnected()) {
        // Owe nothing for the time the local Redis was away.
        m_clock.restart();
        m_sentSinceStart = 0;
        return;
    }
    if (m_inFlight > 0)
        return;
    // Write what the rate owes since the start: bursts after a stall, never drift.
    const quint64 due = quint64(double(m_clock.elapsed()) * m_simulate.eventsPerSecond / 1000.0);
    const quint64 batch = std::min<quint64>(due - std::min(due, m_sentSinceStart), 5000);
    for (quint64 i = 0; i < batch; ++i) {
        // One background job for every ten channel events, as on a busy PBX.
        const bool job = (m_written + i) % 10 == 9;
        const QList<QByteArray> fields =
            job ? m_events.nextBackgroundJob() : m_events.nextChannelEvent();
        RedisCommand command("XADD");
        command.arg(job ? m_sync.streamJobs : m_sync.streamEvents);
        if (!m_sync.local.configured) {
            command.arg(QByteArrayView("MAXLEN")).arg(QByteArrayView("~"));
            command.arg(m_simulate.streamMaxLength);
        }
        command.arg(QByteArrayView("*"));
        for (const QByteArray &f : fields)
            command.arg(QByteArrayView(f));
        ++m_inFlight;
        m_client->send(command, [this](const RedisReply &reply) {
            --m_inFlight;
            if (reply.isError())
                ++m_failed;
            if (m_stopping && m_inFlight == 0)
                Q_EMIT finished();
        });
    }
    m_sentSinceStart += batch;
    m_written += batch;
    auto snapshot = std::make_shared<SimulatorSnapshot>();
    snapshot->rate = m_simulate.eventsPerSecond;
    snapshot->written = m_written;
    snapshot->failed = m_failed;
    publish(snapshot);
}

void SyncSimulator::stop(int)
{
    m_stopping = true;
    m_timer.stop();
    m_remoteTrim.stop();
    if (m_inFlight == 0)
        Q_EMIT finished();
}

} // namespace Switchboard
