#pragma once

#include "config.h"

#include <QElapsedTimer>
#include <QLockFile>
#include <QObject>
#include <QProcess>
#include <memory>
#include <vector>

namespace Switchboard {

// Servers Switchboard starts for itself when an engine has none configured: `redis-server` and
// `nats-server -js` children on free loopback ports, data under the user's data directory, stopped
// on exit. A newcomer gets a working node with no set-up; a configured production node starts none.
class LocalStack : public QObject
{
    Q_OBJECT
public:
    explicit LocalStack(const LocalStackConfig &config, QObject *parent = nullptr);
    ~LocalStack() override;

    // Starts redis-server for `name` ("sync-local"...) and waits (bounded) until it answers
    // PING. Returns the endpoint, or std::nullopt with errorString() set.
    std::optional<RedisEndpoint> startRedis(const QString &name);
    // Starts `nats-server -js` for `name` ("ingress") with its JetStream store under the data
    // directory and waits (bounded) for its INFO greeting. Returns the nats:// URL.
    std::optional<QString> startNats(const QString &name);
    QString errorString() const { return m_error; }

    // SIGTERM every child and wait for it (redis-server saves and exits quickly).
    void stopAll();

    // A child that exits on its own (killed, crashed, out of memory) is logged as an error and
    // started again on the same port and data, after 1 s, then up to 30 s between attempts while
    // it keeps failing: the engines reconnect to it as to any server that came back.

    // `program` as given when it has a '/'; else found on PATH or, failing that, in the sbin
    // directories a user's PATH leaves out (Debian puts nats-server in /usr/sbin).
    static QString locate(const QString &program);

private:
    struct Child
    {
        QString name;
        // Held while the server runs: a second node on the same data directory would start
        // its own server on the same files and corrupt them. Declared first, so released
        // last, once the process is gone.
        std::unique_ptr<QLockFile> lock;
        std::unique_ptr<QProcess> process;
        QString program; // located
        QStringList arguments;
        QString logFile;
        qint64 pid = 0; // of the running process, for the log once it is gone
        int restarts = 0; // in a row, each within a minute of the one before
        QElapsedTimer running;
    };

    QString dataDir() const;
    // Starts `program` in `dir` and waits until `answers(port)`; kept as a child on success.
    bool startChild(const QString &name, const QString &program, const QStringList &arguments,
                    const QString &dir, quint16 port, bool (*answers)(quint16));

    void watch(QProcess *process);
    void exited(QProcess *process, int code, QProcess::ExitStatus status);
    void restart(QProcess *process);
    Child *childOf(QProcess *process);

    LocalStackConfig m_config;
    std::vector<Child> m_children;
    QString m_error;
    bool m_stopping = false;
};

} // namespace Switchboard
