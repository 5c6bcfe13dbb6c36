#pragma once

#include "core/config.h"
#include "core/enginehost.h"

#include <QJsonObject>
#include <QObject>
#include <QThread>
#include <memory>

namespace Switchboard {

class HttpServer;
class IngressApi;
class IngressGateway;
class LocalStack;
class PollingService;
class StatusApi;
class TimeoutsApi;
struct TimeoutsApiCounters;

// One Switchboard node: the local stack where nothing is configured, the enabled engines in
// their threads, and the HTTP listeners in a thread of their own. The same object backs
// --headless and the console.
class SwitchboardNode : public QObject
{
    Q_OBJECT
public:
    SwitchboardNode(const Config &config, const QStringList &engines, QObject *parent = nullptr);
    ~SwitchboardNode() override;

    // Starts servers, engines and listeners; false with a one-line reason on failure, with what
    // it had started (the local stack's servers, the listeners) stopped again.
    bool start(QString *error);
    // Drains the engines (at most `deadlineMs`), then closes the listeners and the local stack;
    // emits stopped().
    void stop(int deadlineMs = 9000);

    SnapshotBoard *board() { return m_host.board(); }
    // The document /api/v1/status serves, built from the snapshots; any thread.
    QJsonObject status() const;
    const Config &config() const { return m_config; }
    quint16 httpPort() const { return m_httpPort; }

Q_SIGNALS:
    void stopped();

private:
    bool startParts(QString *error);
    bool addIngress(QString *error);
    bool addTimeouts(QString *error);
    bool startHttp(QString *error);
    void stopHttp();

    Config m_config;
    QStringList m_engines;
    EngineHost m_host;
    std::unique_ptr<LocalStack> m_localStack;
    std::unique_ptr<StatusApi> m_statusApi;
    QThread m_httpThread;
    QObject *m_httpContext = nullptr; // lives in m_httpThread: where work for it is queued
    HttpServer *m_http = nullptr; // lives in m_httpThread
    HttpServer *m_healthHttp = nullptr; // HEALTH_PORT, when it differs from PORT
    std::shared_ptr<IngressGateway> m_ingressGateway;
    IngressApi *m_ingressApi = nullptr; // lives in m_httpThread
    PollingService *m_polling = nullptr; // made in and lives in m_httpThread
    std::shared_ptr<TimeoutsApiCounters> m_timeoutsCounters; // HTTP thread writes, engine reads
    TimeoutsApi *m_timeoutsApi = nullptr; // made in and lives in m_httpThread
    quint16 m_httpPort = 0;
    bool m_stopping = false;
};

} // namespace Switchboard
