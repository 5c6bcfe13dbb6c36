#include "localstack.h"

#include "logging.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>
#endif

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

bool answersInfo(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(300))
        return false;
    return socket.waitForReadyRead(500) && socket.readAll().startsWith("INFO ");
}

// The lock files this process holds (LocalStack runs on the main thread only).
QSet<QString> &heldLocks()
{
    static QSet<QString> held;
    return held;
}

QString lockError(const QLockFile &lock)
{
    switch (lock.error()) {
    case QLockFile::PermissionError:
        return QStringLiteral("permission denied");
    case QLockFile::UnknownError:
        return QStringLiteral("unknown error");
    default:
        return QStringLiteral("locked");
    }
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
    // ~/.local/share/switchboard/local-stack. Not AppDataLocation, which appends both the
    // organization and the application name: ~/.local/share/switchboard/switchboard/.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/switchboard/local-stack");
}

std::optional<RedisEndpoint> LocalStack::startRedis(const QString &name)
{
    const QString dir = dataDir() + QLatin1Char('/') + name;
    const quint16 port = pickFreePort();
    // The append-only file keeps the streams across restarts of the local stack, as a real
    // FreeSWITCH box's Redis would.
    const QStringList arguments {QStringLiteral("--port"),
                                 QString::number(port),
                                 QStringLiteral("--bind"),
                                 QStringLiteral("127.0.0.1"),
                                 QStringLiteral("--dir"),
                                 dir,
                                 QStringLiteral("--appendonly"),
                                 QStringLiteral("yes"),
                                 QStringLiteral("--save"),
                                 QString(),
                                 QStringLiteral("--protected-mode"),
                                 QStringLiteral("yes")};
    if (!startChild(name, m_config.redisServer, arguments, dir, port, answersPing))
        return std::nullopt;
    RedisEndpoint endpoint;
    endpoint.host = QStringLiteral("127.0.0.1");
    endpoint.port = port;
    endpoint.db = 0;
    return endpoint;
}

std::optional<QString> LocalStack::startNats(const QString &name)
{
    const QString dir = dataDir() + QLatin1Char('/') + name;
    const quint16 port = pickFreePort();
    // The file store under the data directory keeps accepted events and dead letters across
    // restarts, as a production JetStream would.
    const QStringList arguments {QStringLiteral("-js"),
                                 QStringLiteral("-a"),
                                 QStringLiteral("127.0.0.1"),
                                 QStringLiteral("-p"),
                                 QString::number(port),
                                 QStringLiteral("-sd"),
                                 dir};
    if (!startChild(name, m_config.natsServer, arguments, dir, port, answersInfo))
        return std::nullopt;
    return QStringLiteral("nats://127.0.0.1:%1").arg(port);
}

QString LocalStack::locate(const QString &program)
{
    if (program.contains(u'/'))
        return program;
    QString found = QStandardPaths::findExecutable(program);
    if (found.isEmpty())
        found =
            QStandardPaths::findExecutable(program,
                                           {QStringLiteral("/usr/local/sbin"),
                                            QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    return found.isEmpty() ? program : found;
}

bool LocalStack::startChild(const QString &name, const QString &program,
                            const QStringList &arguments, const QString &dir, quint16 port,
                            bool (*answers)(quint16))
{
    if (!QDir().mkpath(dir)) {
        m_error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    auto lock = std::make_unique<QLockFile>(dir + QStringLiteral("/switchboard.lock"));
    lock->setStaleLockTime(0); // stale only when its process is gone, never by age
    bool locked = lock->tryLock(0);
    if (!locked && lock->error() == QLockFile::LockFailedError) {
        // A lock naming this very process that this process does not hold was left by an
        // earlier run that had the same pid: a container's node is pid 1 at every start, and
        // Qt takes a live pid running "switchboard" for the owner. Without this, a node killed
        // in a container would refuse every restart.
        qint64 pid = 0;
        if (lock->getLockInfo(&pid, nullptr, nullptr) && pid == QCoreApplication::applicationPid()
            && !heldLocks().contains(lock->fileName()) && lock->removeStaleLockFile())
            locked = lock->tryLock(0);
    }
    if (!locked) {
        qint64 pid = 0;
        QString host;
        QString application;
        lock->getLockInfo(&pid, &host, &application);
        m_error = lock->error() == QLockFile::LockFailedError
            ? QStringLiteral("the local stack's %1 data in %2 is in use by another Switchboard "
                             "(pid %3 on %4): give this node its own local_stack.data_dir")
                  .arg(name, dir)
                  .arg(pid)
                  .arg(host.isEmpty() ? QStringLiteral("this host") : host)
            : QStringLiteral("cannot lock %1 (%2)").arg(lock->fileName(), lockError(*lock));
        return false;
    }
    const QString logFile = dir + QStringLiteral("/server.log");
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->setStandardOutputFile(logFile);
    process->setWorkingDirectory(dir);
#ifdef Q_OS_LINUX
    // A node killed with SIGKILL takes its servers with it, instead of leaving them holding the
    // ports and the data directory (nats-server locks it) for the next start. The signal comes
    // when the thread that started the child ends: this runs on the main thread.
    // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) reaches the
    // node alone, which stops its engines while their servers still answer, then the servers.
    process->setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    });
#endif
    process->start(locate(program), arguments);
    if (!process->waitForStarted(5000)) {
        m_error = QStringLiteral("cannot start %1: %2 (install it or configure a server for this "
                                 "engine)")
                      .arg(program, process->errorString());
        return false;
    }
    QDeadlineTimer deadline(10000);
    while (!answers(port)) {
        if (deadline.hasExpired() || process->state() != QProcess::Running) {
            m_error = QStringLiteral("%1 for %2 did not answer on port %3; see %4")
                          .arg(program, name)
                          .arg(port)
                          .arg(logFile);
            process->kill();
            process->waitForFinished(2000);
            return false;
        }
        process->waitForFinished(50); // bounded pause that also notices an early exit
    }
    qCInfo(lcCore).noquote() << QStringLiteral("local stack: %1 %2 on 127.0.0.1:%3 pid %4 data %5")
                                    .arg(name, process->program())
                                    .arg(port)
                                    .arg(process->processId())
                                    .arg(dir);
    heldLocks().insert(lock->fileName());
    Child child;
    child.name = name;
    child.lock = std::move(lock);
    child.program = process->program();
    child.arguments = arguments;
    child.logFile = logFile;
    child.pid = process->processId();
    child.running.start();
    child.process = std::move(process);
    watch(child.process.get());
    m_children.push_back(std::move(child));
    return true;
}

LocalStack::Child *LocalStack::childOf(QProcess *process)
{
    for (Child &child : m_children) {
        if (child.process.get() == process)
            return &child;
    }
    return nullptr;
}

void LocalStack::watch(QProcess *process)
{
    connect(
        process, &QProcess::finished, this,
        [this, process](int code, QProcess::ExitStatus status) { exited(process, code, status); });
}

void LocalStack::exited(QProcess *process, int code, QProcess::ExitStatus status)
{
    Child *child = childOf(process);
    if (m_stopping || !child)
        return;
    if (child->running.elapsed() > 60000)
        child->restarts = 0;
    const int delayMs = std::min(30000, 1000 << std::min(child->restarts, 5));
    ++child->restarts;
    qCCritical(lcCore).noquote()
        << QStringLiteral("local stack: %1 (%2, pid %3) exited on its own (%4); starting it "
                          "again in %5 s (its log: %6)")
               .arg(child->name, child->program)
               .arg(child->pid)
               .arg(status == QProcess::CrashExit ? QStringLiteral("killed or crashed")
                                                  : QStringLiteral("exit code %1").arg(code))
               .arg(delayMs / 1000)
               .arg(child->logFile);
    QTimer::singleShot(delayMs, this, [this, process] { restart(process); });
}

void LocalStack::restart(QProcess *process)
{
    Child *child = childOf(process);
    if (m_stopping || !child || process->state() != QProcess::NotRunning)
        return;
    process->setStandardOutputFile(child->logFile, QIODevice::Append); // keep the crash's log
    process->start(child->program, child->arguments);
    if (!process->waitForStarted(5000)) {
        qCCritical(lcCore).noquote()
            << "local stack: cannot start" << child->name << "again:" << process->errorString();
        exited(process, -1, QProcess::CrashExit);
        return;
    }
    child->pid = process->processId();
    child->running.start();
    qCInfo(lcCore).noquote() << "local stack:" << child->name << "started again, pid" << child->pid;
}

void LocalStack::stopAll()
{
    m_stopping = true;
    for (Child &child : m_children)
        child.process->terminate();
    for (Child &child : m_children) {
        // waitForFinished() is false for a child that had already exited: not a hang.
        if (child.process->state() == QProcess::NotRunning
            || child.process->waitForFinished(5000)) {
            qCInfo(lcCore).noquote() << "local stack:" << child.name << "stopped";
            continue;
        }
        child.process->kill();
        child.process->waitForFinished(2000);
        qCWarning(lcCore).noquote()
            << "local stack:" << child.name << "did not stop within 5 s of SIGTERM; killed";
    }
    for (const Child &child : m_children)
        heldLocks().remove(child.lock->fileName());
    m_children.clear(); // each process, then its lock
    m_stopping = false;
}

} // namespace Switchboard
