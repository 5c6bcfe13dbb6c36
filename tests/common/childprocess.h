#pragma once

// The processes a benchmark starts besides the servers of serverprocess.h: any child with its
// output in a log file, the baseline server it compares the project with, and the switchboard
// binary of this build.

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <memory>

class QHttpServer;

namespace Switchboard::Test {

// A child whose output goes to a log file (a pipe nobody reads would fill), stopped by PID:
// SIGTERM, a bounded wait, then SIGKILL. The destructor stops it too, so an early return leaves
// nothing running.
class ChildProcess
{
public:
    ChildProcess() = default;
    ~ChildProcess() { stop(); }
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    bool start(const QString &program, const QStringList &arguments, const QString &logFile,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    void stop(int graceMs = 10000); // says so on stderr when it had to SIGKILL
    bool isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }
    qint64 pid() const { return isRunning() ? m_process->processId() : 0; }
    // A bounded pause that also notices an early exit: true once it has ended.
    bool waitForFinished(int ms) { return !isRunning() || m_process->waitForFinished(ms); }
    QString logTail(qint64 bytes = 2000) const;

private:
    std::unique_ptr<QProcess> m_process;
    QString m_logFile;
};

bool acceptsConnections(quint16 port); // on 127.0.0.1, within 300 ms

// A benchmark's baseline: this same executable started again as a child with
// `--baseline-server PORT` and `arguments`, on a free loopback port, so that the baseline and
// the project are both separate processes the load crosses a socket to.
class BaselineServer
{
public:
    // Starts it and waits (10 s at most) until `isReady(port)`: by default, until it accepts
    // connections. False with `error` set when it does not.
    bool start(QString *error, const QStringList &arguments = {},
               const std::function<bool(quint16)> &isReady = acceptsConnections);
    void stop() { m_process.stop(); }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.pid(); }

private:
    QTemporaryDir m_dir; // the log
    ChildProcess m_process;
    quint16 m_port = 0;
};

// The baseline's side of --baseline-server: serves `server` on 127.0.0.1:`port` until SIGTERM,
// with switchboard's listen backlog (4096: QHttpServer::listen() would use 50, STYLE.md trap 2).
// 1 when it cannot listen.
int serveBaseline(QHttpServer &server, quint16 port);

// The switchboard binary a benchmark drives: SWITCHBOARD_BINARY when set, else the one this build
// put beside the benchmarks (../../app/switchboard), which then goes into SWITCHBOARD_BINARY for
// SwitchboardProcess to start when it is there.
QString chooseSwitchboardBinary();

} // namespace Switchboard::Test
