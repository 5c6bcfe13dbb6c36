#include "childprocess.h"

#include "benchfigures.h"
#include "serverprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QHttpServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <cstdio>

namespace Switchboard::Test {

bool ChildProcess::start(const QString &program, const QStringList &arguments,
                         const QString &logFile, const QProcessEnvironment &environment)
{
    m_logFile = logFile;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(logFile);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProcessEnvironment(environment);
    m_process->start(program, arguments);
    return m_process->waitForStarted(5000);
}

void ChildProcess::stop(int graceMs)
{
    if (!isRunning())
        return;
    const qint64 pid = m_process->processId();
    if (!stopByPid(*m_process, graceMs))
        progress(QStringLiteral("  pid %1 did not stop within %2 ms of SIGTERM: killed")
                     .arg(pid)
                     .arg(graceMs));
}

QString ChildProcess::logTail(qint64 bytes) const
{
    QFile log(m_logFile);
    if (!log.open(QIODevice::ReadOnly))
        return {};
    if (log.size() > bytes)
        log.seek(log.size() - bytes);
    return QString::fromLocal8Bit(log.readAll()).trimmed();
}

bool acceptsConnections(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(300);
}

bool BaselineServer::start(QString *error, const QStringList &arguments,
                           const std::function<bool(quint16)> &isReady)
{
    m_port = freeLoopbackPort();
    if (!m_process.start(QCoreApplication::applicationFilePath(),
                         QStringList {QStringLiteral("--baseline-server"), QString::number(m_port)}
                             + arguments,
                         m_dir.filePath(QStringLiteral("baseline.log")))) {
        *error = QStringLiteral("the baseline server did not start");
        return false;
    }
    for (QDeadlineTimer deadline(10000); !deadline.hasExpired();) {
        if (isReady(m_port))
            return true;
        if (m_process.waitForFinished(50))
            break;
    }
    *error = QStringLiteral("the baseline server did not answer on %1: %2")
                 .arg(m_port)
                 .arg(m_process.logTail());
    return false;
}

int serveBaseline(QHttpServer &server, quint16 port)
{
    auto *tcp = new QTcpServer(&server);
    tcp->setListenBacklogSize(4096);
    if (!tcp->listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "baseline: cannot listen on 127.0.0.1:%u: %s\n", unsigned(port),
                     qPrintable(tcp->errorString()));
        return 1;
    }
    server.bind(tcp);
    return QCoreApplication::exec(); // until SIGTERM
}

QString chooseSwitchboardBinary()
{
    const QString fromEnvironment = qEnvironmentVariable("SWITCHBOARD_BINARY");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QString besideUs =
        QFileInfo(QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/switchboard"))
            .absoluteFilePath();
    if (QFile::exists(besideUs))
        qputenv("SWITCHBOARD_BINARY", QFile::encodeName(besideUs));
    return besideUs;
}

} // namespace Switchboard::Test
