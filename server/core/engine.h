#pragma once

// What every engine shares: the Engine base (a QObject living in its own thread, started and
// stopped by queued calls) and the immutable snapshots it publishes for /health, /metrics,
// /api/v1/status and the console.

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QStringList>
#include <map>
#include <memory>

namespace Switchboard {

class MetricsWriter;

struct EngineHealth
{
    bool healthy = true;
    QString reason; // why not, in words an operator acts on: "remote Redis 10.0.0.5:6379/2:
                    // connection refused"
};

class EngineSnapshot
{
public:
    virtual ~EngineSnapshot() = default;
    virtual QString engineName() const = 0;
    virtual EngineHealth health() const = 0;
    virtual QJsonObject toJson() const = 0;
    virtual void writeMetrics(MetricsWriter &out) const = 0;
    // Fields the sync seed put at the top of /health ("last_sync", "queue_size", "errors").
    virtual void addHealthFields(QJsonObject &) const { }
};

using SnapshotPtr = std::shared_ptr<const EngineSnapshot>;

// The latest snapshot of every engine. Engines publish from their threads, readers (HTTP
// thread, GUI) take a shared pointer to an immutable value: no engine is ever called
// synchronously.
class SnapshotBoard
{
public:
    // An engine that will publish: until it has, /health counts it as starting (unhealthy).
    void expect(const QString &engine);
    void publish(const SnapshotPtr &snapshot);
    SnapshotPtr get(const QString &engine) const;
    std::map<QString, SnapshotPtr> all() const;
    // The expected engines that have published nothing yet.
    QStringList starting() const;

private:
    mutable QMutex m_mutex;
    std::map<QString, SnapshotPtr> m_snapshots;
    QStringList m_expected;
};

class Engine : public QObject
{
    Q_OBJECT
public:
    // What /health waits for: an engine's first snapshot (until then it counts the engine as
    // starting, unhealthy), or nothing (a simulator, whose health is not the node's).
    enum class HealthAwaits { FirstSnapshot, Nothing };
    Engine(const QString &name, SnapshotBoard *board,
           HealthAwaits awaits = HealthAwaits::FirstSnapshot, QObject *parent = nullptr);

    QString name() const { return m_name; }

public Q_SLOTS:
    // Called in the engine's thread through a queued connection.
    virtual void start() = 0;
    // Stop taking new work, drain what is in flight, then emit finished(). `deadlineMs` is
    // how long the drain may take before the engine gives up and finishes anyway.
    virtual void stop(int deadlineMs) = 0;

Q_SIGNALS:
    void finished();

protected:
    void publish(const SnapshotPtr &snapshot) { m_board->publish(snapshot); }

private:
    QString m_name;
    SnapshotBoard *m_board;
};

} // namespace Switchboard
