#pragma once

// Test fixtures: real servers started as child processes on free loopback ports, each with
// its own temporary directory, stopped by PID when the fixture is destroyed.

#include "core/config.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace Switchboard::Test {

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it for port 0).
quint16 freeLoopbackPort();

// A child process stopped by its PID (never by name), each wait bounded. SIGKILL, as a crash
// would, and up to 5 s for the exit to be reaped.
void killByPid(QProcess &process);
// SIGTERM, then killByPid() when it has not ended within `graceMs`: false when it had to be.
bool stopByPid(QProcess &process, int graceMs);
// SIGSTOP, then up to 2 s until the kernel shows the process stopped: kill() returns before
// every thread of a busy process has stopped, and a test that acts at once could still be
// answered. False for a pid <= 0 (never our own process group) or when it did not stop.
bool pauseByPid(qint64 pid);

class RedisServer
{
public:
    RedisServer();
    ~RedisServer();

    // Starts redis-server on a free port (or `port` when given) and waits until it answers
    // PING. Returns false with a message in error() when it does not within 10 s. `extraArgs`
    // are appended to the command line, e.g. {"--requirepass", "secret"}.
    bool start(quint16 port = 0, const QStringList &extraArgs = {});
    // Like start(), but returns as soon as the server answers at all, -LOADING included: for
    // tests of what a client sees while a restarted server reads its dataset.
    bool launch(quint16 port = 0, const QStringList &extraArgs = {});
    // SIGKILL, as a crash would: no save, the port freed at once.
    void kill();
    // SIGTERM and wait for the process to exit.
    void stop();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    qint64 pid() const;
    QString error() const { return m_error; }
    QString url() const; // redis://127.0.0.1:port/0
    QString addr() const; // 127.0.0.1:port
    RedisEndpoint endpoint() const; // 127.0.0.1:port, db 0, configured

private:
    bool startProcess(quint16 port, const QStringList &extraArgs, bool loadingIsUp);

    std::unique_ptr<QProcess> m_process;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    QString m_error;
};

// nats-server -js on a free loopback port with its JetStream store in a temporary directory that
// outlives kill()/start() on the same fixture, so a restarted server keeps its streams.
class NatsServer
{
public:
    NatsServer();
    ~NatsServer();

    // Starts nats-server (on `port`, or the port of the previous start, or a free one) and waits
    // until it sends its INFO line. False with error() set when it does not within 10 s.
    bool start(quint16 port = 0);
    // Clients must then give this token (nats://TOKEN@host:port) from the next start() on;
    // empty: no authorization.
    void setToken(const QString &token) { m_token = token; }
    void kill(); // SIGKILL, as a crash would
    void stop(); // SIGTERM and wait
    bool isRunning() const;

    quint16 port() const { return m_port; }
    qint64 pid() const;
    QString url() const; // nats://127.0.0.1:port
    QString error() const { return m_error; }
    QString storeDir() const { return m_dir.path(); }

private:
    std::unique_ptr<QProcess> m_process;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    QString m_token;
    QString m_error;
};

// A Switchboard binary started as a child (SWITCHBOARD_BINARY, set by CTest), for the tests
// that need a real process: signals, exit codes, crash and restart.
class SwitchboardProcess
{
public:
    SwitchboardProcess();
    ~SwitchboardProcess();

    void setEnvironment(const QProcessEnvironment &env) { m_env = env; }
    // The node leads a process group of its own, as a shell's foreground job does.
    void setOwnProcessGroup(bool own) { m_ownProcessGroup = own; }
    // The node sees `path` as its /etc/resolv.conf, with an nsswitch.conf (written beside it)
    // that looks hosts up in /etc/hosts and DNS only, in a mount namespace of its own (root, or
    // CAP_SYS_ADMIN: canChangeResolvConf() tells). The node exits 97 at once when it cannot.
    void setResolvConf(const QString &path);
    static bool canChangeResolvConf();
    bool start(const QStringList &arguments);
    bool waitForHealthy(quint16 port, int timeoutMs = 15000);
    void kill(); // SIGKILL
    void terminate(); // SIGTERM
    // SIGINT to the node's process group, as a terminal's Ctrl-C (setOwnProcessGroup()).
    void interruptGroup();
    // SIGTERM (a node releases what it holds), SIGKILL when it has not ended within `graceMs`.
    void stop(int graceMs = 10000);
    bool waitForFinished(int timeoutMs);
    int exitCode() const;
    QProcess::ExitStatus exitStatus() const;
    qint64 pid() const;
    QByteArray output() const; // stdout + stderr so far
    static QString binaryPath();

private:
    std::unique_ptr<QProcess> m_process;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();
    // XDG_DATA_HOME of a node whose environment names none: the local stack's data (and its
    // lock) stay out of the user's own directory and out of other tests' way.
    std::unique_ptr<QTemporaryDir> m_dataHome;
    bool m_ownProcessGroup = false;
    QByteArray m_resolvConf;
    QByteArray m_nsswitchConf;
    mutable QByteArray m_output;
};

// GET over a blocking socket; returns status code and body. -1 when unreachable.
struct HttpResult
{
    int status = -1;
    QByteArray body;
};
HttpResult httpGet(quint16 port, const QByteArray &path, int timeoutMs = 3000);
// Any method; a POST body goes with Content-Type: application/json. `extraHeaders` are whole
// lines ("Name: value\r\n").
HttpResult httpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                       const QByteArray &body = {}, int timeoutMs = 3000,
                       const QByteArray &extraHeaders = {});

} // namespace Switchboard::Test
