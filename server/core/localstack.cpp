#include "localstack.h"

#include "logging.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

namespace Switchboard {

namespace {

quint16 pickFreePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool answersPing(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(300))
        return false;
    socket.write("PING\r\n");
    return socket.waitForReadyRead(300) && socket.readAll().startsWith("+PONG");
}

} // namespace

LocalStack::LocalStack(const LocalStackConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
{
}

LocalStack::~LocalStack()
{
    stopAll();
}

QString LocalStack::dataDir() const
{
    if (!m_config.dataDir.isEmpty())
        return m_config.dataDir;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/local-stack");
}

std::optional<RedisEndpoint> LocalStack::startRedis(const QString &name)
{
    const QString dir = dataDir() + QLatin1Char('/') + name;
    if (!QDir().mkpath(dir)) {
        m_error = QStringLiteral("cannot create %1").arg(dir);
        return std::nullopt;
    }
    const quint16 port = pickFreePort();
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->setStandardOutputFile(dir + QStringLiteral("/redis.log"));
    process->setWorkingDirectory(dir);
    // The append-only file keeps the streams across restarts of the local stack, as a real
    // FreeSWITCH box's Redis would.
    process->start(m_config.redisServer,
                   {QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"),
                    QStringLiteral("127.0.0.1"), QStringLiteral("--dir"), dir,
                    QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--save"),
                    QString(), QStringLiteral("--protected-mode"), QStringLiteral("yes")});
    if (!process->waitForStarted(5000)) {
        m_error = QStringLiteral("cannot start %1: %2 (install redis-server or configure a "
                                 "Redis for this engine)")
                      .arg(m_config.redisServer, process->errorString());
        return std::nullopt;
    }
    QDeadlineTimer deadline(10000);
    while (!answersPing(port)) {
        if (deadline.hasExpired() || process->state() != QProcess::Running) {
            m_error = QStringLiteral("%1 for %2 did not answer on port %3; see %4/redis.log")
                          .arg(m_config.redisServer, name)
                          .arg(port)
                          .arg(dir);
            process->kill();
            process->waitForFinished(2000);
            return std::nullopt;
        }
        process->waitForFinished(50); // bounded pause that also notices an early exit
    }
    qCInfo(lcCore).noquote() << "local stack:" << name << "redis-server on 127.0.0.1:" << port
                             << "pid" << process->processId() << "data" << dir;
    m_children.push_back({name, std::move(process)});

    RedisEndpoint endpoint;
    endpoint.host = QStringLiteral("127.0.0.1");
    endpoint.port = port;
    endpoint.db = 0;
    return endpoint;
}

void LocalStack::stopAll()
{
    for (Child &child : m_children)
        child.process->terminate();
    for (Child &child : m_children) {
        if (!child.process->waitForFinished(5000)) {
            child.process->kill();
            child.process->waitForFinished(2000);
        }
        qCInfo(lcCore).noquote() << "local stack:" << child.name << "stopped";
    }
    m_children.clear();
}

} // namespace Switchboard
