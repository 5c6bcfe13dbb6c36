#include "serverprocess.h"

#include "core/localstack.h"
#include "resp.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <csignal>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

namespace Switchboard::Test {

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

void killByPid(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(process.processId()), SIGKILL);
    process.waitForFinished(5000);
}

bool stopByPid(QProcess &process, int graceMs)
{
    if (process.state() == QProcess::NotRunning)
        return true;
    ::kill(pid_t(process.processId()), SIGTERM);
    if (process.waitForFinished(graceMs))
        return true;
    killByPid(process);
    return false;
}

bool pauseByPid(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), SIGSTOP) != 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    return QTest::qWaitFor(
        [&stat] {
            // "pid (name) S ...": the state follows the last ')', since the name may hold one.
            if (!stat.open(QIODevice::ReadOnly))
                return false;
            const QByteArray line = stat.readAll();
            stat.close();
            const qsizetype end = line.lastIndexOf(')');
            return end >= 0 && line.size() > end + 2 && line[end + 2] == 'T';
        },
        2000);
}

RedisServer::RedisServer() = default;

RedisServer::~RedisServer()
{
    stop();
}

bool RedisServer::start(quint16 port, const QStringList &extraArgs)
{
    return startProcess(port, extraArgs, false);
}

bool RedisServer::launch(quint16 port, const QStringList &extraArgs)
{
    return startProcess(port, extraArgs, true);
}

bool RedisServer::startProcess(quint16 port, const QStringList &extraArgs, bool loadingIsUp)
{
    m_port = port ? port : freeLoopbackPort();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setWorkingDirectory(m_dir.path());
    m_process->start(LocalStack::locate(QStringLiteral("redis-server")),
                     QStringList {QStringLiteral("--port"), QString::number(m_port),
                                  QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                                  QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--save"),
                                  QString(), QStringLiteral("--appendonly"), QStringLiteral("no"),
                                  QStringLiteral("--protected-mode"), QStringLiteral("no")}
                         + extraArgs);
    if (!m_process->waitForStarted(5000)) {
        m_error = QStringLiteral("redis-server did not start: ") + m_process->errorString();
        return false;
    }
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        // With requirepass the server answers an unauthenticated PING with NOAUTH: up all the
        // same.
        const Resp pong = redisQuery(m_port, {"PING"}, 500);
        if (pong.string == "PONG" || pong.string.startsWith("NOAUTH")
            || (loadingIsUp && pong.string.startsWith("LOADING")))
            return true;
        if (m_process->state() != QProcess::Running)
            break;
        m_process->waitForFinished(50); // bounded wait between probes, also reaps an early exit
    }
    m_error = QStringLiteral("redis-server on port %1 did not answer PING: %2")
                  .arg(m_port)
                  .arg(QString::fromLocal8Bit(m_process->readAll()));
    return false;
}

void RedisServer::kill()
{
    if (m_process)
        killByPid(*m_process);
}

void RedisServer::stop()
{
    if (m_process)
        stopByPid(*m_process, 5000);
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 RedisServer::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QString RedisServer::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port);
}

RedisEndpoint RedisServer::endpoint() const
{
    RedisEndpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = m_port;
    e.db = 0;
    e.configured = true;
    return e;
}

QString RedisServer::addr() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

namespace {

// nats-server greets every client with "INFO {...}": the listener is up.
bool natsAnswers(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(300))
        return false;
    return socket.waitForReadyRead(500) && socket.readAll().startsWith("INFO ");
}

} // namespace

NatsServer::NatsServer() = default;

NatsServer::~NatsServer()
{
    stop();
}

bool NatsServer::start(quint16 port)
{
    if (port)
        m_port = port;
    else if (!m_port)
        m_port = freeLoopbackPort();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QStringList arguments {
        QStringLiteral("-js"), QStringLiteral("-a"),    QStringLiteral("127.0.0.1"),
        QStringLiteral("-p"),  QString::number(m_port), QStringLiteral("-sd"),
        m_dir.path()};
    if (!m_token.isEmpty())
        arguments << QStringLiteral("--auth") << m_token;
    m_process->start(LocalStack::locate(QStringLiteral("nats-server")), arguments);
    if (!m_process->waitForStarted(5000)) {
        m_error = QStringLiteral("nats-server did not start: ") + m_process->errorString();
        return false;
    }
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (natsAnswers(m_port))
            return true;
        if (m_process->state() != QProcess::Running)
            break;
        m_process->waitForFinished(50); // bounded wait between probes, also reaps an early exit
    }
    m_error = QStringLiteral("nats-server on port %1 did not answer: %2")
                  .arg(m_port)
                  .arg(QString::fromLocal8Bit(m_process->readAll()));
    return false;
}

void NatsServer::kill()
{
    if (m_process)
        killByPid(*m_process);
}

void NatsServer::stop()
{
    if (m_process)
        stopByPid(*m_process, 5000);
}

bool NatsServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 NatsServer::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QString NatsServer::url() const
{
    return QStringLiteral("nats://127.0.0.1:%1").arg(m_port);
}

SwitchboardProcess::SwitchboardProcess() = default;

SwitchboardProcess::~SwitchboardProcess()
{
    kill();
}

QString SwitchboardProcess::binaryPath()
{
    return qEnvironmentVariable("SWITCHBOARD_BINARY", QStringLiteral("switchboard"));
}

namespace {

// In a child between fork and exec (system calls only): `resolvConf` becomes this process's
// /etc/resolv.conf, and `nsswitchConf` its /etc/nsswitch.conf, in a mount namespace of its own;
// nscd's cache, where there is one, is out of its reach.
bool useResolvConf(const char *resolvConf, const char *nsswitchConf)
{
    if (::unshare(CLONE_NEWNS) != 0
        // Private first: the bind mounts must not reach the machine's own namespace.
        || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0
        || ::mount(resolvConf, "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0
        || ::mount(nsswitchConf, "/etc/nsswitch.conf", nullptr, MS_BIND, nullptr) != 0)
        return false;
    for (const char *nscd : {"/run/nscd/socket", "/var/run/nscd/socket"}) {
        if (::access(nscd, F_OK) == 0 && ::mount("/dev/null", nscd, nullptr, MS_BIND, nullptr) != 0)
            return false;
    }
    return true;
}

} // namespace

bool SwitchboardProcess::start(const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = m_env;
    if (!env.contains(QStringLiteral("XDG_DATA_HOME"))) {
        if (!m_dataHome)
            m_dataHome = std::make_unique<QTemporaryDir>();
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dataHome->path());
    }
    m_process->setProcessEnvironment(env);
    m_output.clear();
    // Between fork and exec: system calls only.
    m_process->setChildProcessModifier(
        [own = m_ownProcessGroup, resolvConf = m_resolvConf, nsswitchConf = m_nsswitchConf] {
            if (own)
                ::setpgid(0, 0);
            if (!resolvConf.isEmpty()
                && !useResolvConf(resolvConf.constData(), nsswitchConf.constData()))
                ::_exit(97);
        });
    m_process->start(binaryPath(), arguments);
    return m_process->waitForStarted(5000);
}

void SwitchboardProcess::setResolvConf(const QString &path)
{
    m_resolvConf = path.toLocal8Bit();
    // Hosts from /etc/hosts, then from that DNS server: not from systemd-resolved, mDNS or any
    // other source the machine's own nsswitch.conf may name first.
    const QString nsswitch = QFileInfo(path).dir().filePath(QStringLiteral("nsswitch.conf"));
    QFile file(nsswitch);
    if (file.open(QIODevice::WriteOnly))
        file.write("hosts: files dns\n");
    m_nsswitchConf = nsswitch.toLocal8Bit();
}

bool SwitchboardProcess::canChangeResolvConf()
{
    QProcess probe;
    probe.setChildProcessModifier([] {
        if (!useResolvConf("/etc/resolv.conf", "/etc/nsswitch.conf"))
            ::_exit(97);
    });
    probe.start(QStringLiteral("/bin/true"), {});
    return probe.waitForFinished(5000) && probe.exitStatus() == QProcess::NormalExit
        && probe.exitCode() == 0;
}

bool SwitchboardProcess::waitForHealthy(quint16 port, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (httpGet(port, "/health", 1000).status == 200)
            return true;
        if (!m_process || m_process->state() != QProcess::Running)
            return false;
        m_process->waitForFinished(100);
    }
    return false;
}

void SwitchboardProcess::kill()
{
    if (m_process)
        killByPid(*m_process);
}

void SwitchboardProcess::stop(int graceMs)
{
    if (m_process)
        stopByPid(*m_process, graceMs);
}

void SwitchboardProcess::terminate()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        ::kill(pid_t(m_process->processId()), SIGTERM);
}

void SwitchboardProcess::interruptGroup()
{
    if (m_ownProcessGroup && m_process && m_process->state() != QProcess::NotRunning)
        ::kill(-pid_t(m_process->processId()), SIGINT);
}

bool SwitchboardProcess::waitForFinished(int timeoutMs)
{
    return m_process
        && (m_process->state() == QProcess::NotRunning || m_process->waitForFinished(timeoutMs));
}

int SwitchboardProcess::exitCode() const
{
    return m_process ? m_process->exitCode() : -1;
}

QProcess::ExitStatus SwitchboardProcess::exitStatus() const
{
    return m_process ? m_process->exitStatus() : QProcess::CrashExit;
}

qint64 SwitchboardProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QByteArray SwitchboardProcess::output() const
{
    if (m_process)
        m_output += m_process->readAll();
    return m_output;
}

HttpResult httpGet(quint16 port, const QByteArray &path, int timeoutMs)
{
    return httpRequest(port, "GET", path, {}, timeoutMs);
}

HttpResult httpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                       const QByteArray &body, int timeoutMs, const QByteArray &extraHeaders)
{
    HttpResult result;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return result;
    QByteArray request =
        method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!body.isEmpty() || method == "POST")
        request += "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n";
    socket.write(request + extraHeaders + "\r\n" + body);
    QByteArray buffer;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
        if (socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            buffer += socket.readAll();
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            continue;
        const QByteArray head = buffer.left(headerEnd).toLower();
        const qsizetype cl = head.indexOf("content-length:");
        if (cl < 0)
            continue;
        const qsizetype clEnd = head.indexOf("\r\n", cl);
        const qlonglong length =
            head.mid(cl + 15, clEnd < 0 ? -1 : clEnd - cl - 15).trimmed().toLongLong();
        if (buffer.size() >= headerEnd + 4 + length) {
            result.status = buffer.mid(9, 3).toInt();
            result.body = buffer.mid(headerEnd + 4, length);
            return result;
        }
    }
    return result;
}

} // namespace Switchboard::Test
