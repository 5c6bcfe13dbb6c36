#pragma once

#include "core/config.h"
#include "core/engine.h"

#include <QTimer>

namespace Switchboard {

class HttpClient;
class HttpServer;

// --simulate for ingress: posts call signals in the seed's body shape (several domains;
// answered, missed and busy calls) to this node's own POST /events, with routes to a demo sink
// on the main port that fails a settable share of requests, so that forwards, failures,
// redeliveries and dead letters all move on a newcomer's console.
class IngressSimulator : public Engine
{
    Q_OBJECT
public:
    IngressSimulator(quint16 port, double eventsPerSecond, SnapshotBoard *board);

    // The routes used when the configuration has none: two sink endpoints per demo domain.
    static QList<IngressRoute> demoRoutes(quint16 port);
    // POST /demo/sink/{name}: 200, or 503 for `failureShare` of the requests.
    static void registerDemoSink(HttpServer &server, double failureShare);
    // One call signal as the Event Hub's README shows it.
    static QByteArray callSignal(const QString &domain);

    void start() override;
    void stop(int deadlineMs) override;

private:
    void tick();

    quint16 m_port;
    double m_eventsPerSecond;
    HttpClient *m_http = nullptr;
    QTimer m_timer;
    double m_credit = 0;
    // Posts not answered yet, at most maxInFlight (HttpClient's destructor calls no callback).
    static constexpr int maxInFlight = 256;
    int m_inFlight = 0;
    qint64 m_lastTickMs = 0;
};

} // namespace Switchboard
