#pragma once

// What the console knows of one node: its /api/v1/status document as it changes, whether the
// node answers, and a way to call its REST API. Implemented once for the engines in this
// process (LocalNodeSource) and once for a remote node's /api/v1/stream (RemoteNodeSource), so
// every panel is written once and cannot tell them apart (STYLE.md, console).
//
// Lives in the GUI thread; signals are emitted there.

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <functional>

class QNetworkAccessManager;

namespace Switchboard {

class NodeSource : public QObject
{
    Q_OBJECT

public:
    enum class Reachability {
        Connecting, // no status yet
        Live, // statuses arrive
        Unreachable, // none for a while, or the connection failed: see unreachableSince()
        // The node answers, but refuses the console's API token (HTTP 401 or 403): a matter
        // of credentials, not of the network. See unreachableSince() too.
        Refused,
    };
    Q_ENUM(Reachability)

    // `status` is 0 when the node did not answer (then `body` holds {"error": "..."}).
    using Reply = std::function<void(int status, const QJsonObject &body)>;

    using QObject::QObject;

    // "this node (vm)" for the local one, "host:port" for a remote one.
    virtual QString displayName() const = 0;
    // The node's HTTP base URL (http://127.0.0.1:8080 for the local node).
    virtual QUrl baseUrl() const = 0;
    virtual bool isLocal() const = 0;
    // Starts receiving statuses (and, for a remote node, reconnecting forever).
    virtual void start() = 0;
    // A lost node is asked again at once rather than at its next attempt (up to 18 s away for
    // one down for long): for the operator who has just restarted it. Nothing for a local one.
    virtual void connectNow() { }

    // Calls the node's REST API, e.g. ("POST", "/api/v1/ingress/dead-letters/12/replay").
    // `reply` runs once on the GUI thread, unless `context` is destroyed first.
    virtual void request(const QByteArray &method, const QString &path, QObject *context,
                         Reply reply) = 0;

    Reachability reachability() const { return m_reachability; }
    // Unreachable or Refused: no status comes, and the figures shown are the node's last.
    bool isLost() const
    {
        return m_reachability == Reachability::Unreachable
            || m_reachability == Reachability::Refused;
    }
    // Since when the node has been in that state, and why (valid while isLost()).
    QDateTime unreachableSince() const { return m_unreachableSince; }
    QString unreachableReason() const { return m_unreachableReason; }
    // When the node was last asked again and still did not answer (or still refused); invalid
    // before the first attempt after it was lost. Each such attempt emits reachabilityChanged(),
    // so that the operator who pressed Connect now sees it was done.
    QDateTime lastAskedAgain() const { return m_lastAskedAgain; }

    // The latest /api/v1/status document: {"node": {...}, "engines": {"sync": {...},
    // "ingress": {...}}, "logs": [...]}; empty before the first one arrives.
    const QJsonObject &status() const { return m_status; }
    QDateTime statusTime() const { return m_statusTime; }
    // Whether `engine` ("sync"...) has said it is healthy in a status of this run of the node
    // (the process that started at node.started_at): one that never has is still starting, one
    // that has and no longer is has failed.
    bool hasBeenHealthy(QStringView engine) const { return m_healthyThisRun.contains(engine); }

Q_SIGNALS:
    void statusChanged(); // a new status document (a few per second)
    void reachabilityChanged();

protected:
    // request() over HTTP to baseUrl(), with "Authorization: Bearer <token>" when one is given.
    void httpRequest(const QByteArray &token, const QByteArray &method, const QString &path,
                     QObject *context, Reply reply);
    // `time`: when it came, now when invalid.
    void setStatus(const QJsonObject &status, const QDateTime &time = {});
    // `reason` and `since` are for Unreachable and Refused; `since`: now when invalid.
    void setReachability(Reachability reachability, const QString &reason = {},
                         const QDateTime &since = {});

private:
    QNetworkAccessManager *m_network = nullptr;
    Reachability m_reachability = Reachability::Connecting;
    QDateTime m_unreachableSince;
    QString m_unreachableReason;
    QDateTime m_lastAskedAgain;
    QJsonObject m_status;
    QDateTime m_statusTime;
    QString m_run; // node.started_at and node.pid of the latest status
    QStringList m_healthyThisRun;
};

// An engine's "status" in a status document: its "health" object's, else its figures'; empty
// when the node does not run it.
QString engineStatusText(const QJsonObject &status, QStringView engine);

// A time from a status document ("2026-11-23T12:45:41.986Z"); invalid when absent.
QDateTime statusTime(const QJsonValue &value);
// How the console shows a time: local, with the date (in the locale's short format) when it
// is not today.
QString statusTimeText(const QDateTime &time);

} // namespace Switchboard
