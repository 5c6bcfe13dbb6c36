#pragma once

#include "core/config.h"
#include "http/httpresponder.h"
#include "ingressgateway.h"
#include "nats/natspublisher.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QTimer>
#include <memory>
#include <unordered_map>

namespace Switchboard {

class HttpServer;
struct HttpRequest;

// Ingress' HTTP routes, on the HTTP thread: POST /events (the seed's route) and the
// dead-letter REST API under /api/v1/ingress/dead-letters.
//
// A request that waits (for the JetStream ack, or for the store thread) parks its responder
// here under a number; the work that goes to other threads carries only that number, so a
// responder is only ever touched on this thread. A sweep answers 503 for anything that waited
// longer than it may.
class IngressApi : public QObject
{
    Q_OBJECT
public:
    IngressApi(std::shared_ptr<IngressGateway> gateway, const NatsConfig &nats,
               const IngressConfig &config, QByteArray apiToken, QObject *parent = nullptr);
    ~IngressApi() override;

    // Call on the HTTP thread, after moving this object there.
    void registerRoutes(HttpServer &server);

private:
    void postEvent(const HttpRequest &request, HttpResponder &&responder);
    void published(quint64 id, const QByteArray &eventId, const NatsPublishResult &result);
    void listDeadLetters(const HttpRequest &request, HttpResponder &&responder);
    void getDeadLetter(const HttpRequest &request, HttpResponder &&responder);
    void replayDeadLetter(const HttpRequest &request, HttpResponder &&responder);
    void deleteDeadLetter(const HttpRequest &request, HttpResponder &&responder);
    // The part the three share: the /api/v1 rule, the id from the path, then `work` in the store
    // thread.
    void
    onDeadLetter(const HttpRequest &request, HttpResponder &&responder,
                 std::function<std::pair<int, QJsonObject>(class IngressStore &, quint64)> work);
    // Parks the responder and runs `work` in the store thread; `work` returns the status and
    // JSON body to answer with.
    void inStore(HttpResponder &&responder,
                 std::function<std::pair<int, QJsonObject>(class IngressStore &)> work);
    quint64 park(HttpResponder &&responder, qint64 deadlineMs);
    void answer(quint64 id, int status, const QJsonObject &body);
    void sweep();

    std::shared_ptr<IngressGateway> m_gateway;
    // POST /events publishes on a connection of its own, served by this thread's event loop.
    std::unique_ptr<NatsPublisher> m_publisher;
    QString m_subjectPattern;
    Milliseconds m_publishTimeout;
    QByteArray m_apiToken;
    struct Parked
    {
        HttpResponder responder;
        QDeadlineTimer deadline;
    };
    std::unordered_map<quint64, Parked> m_parked;
    quint64 m_nextId = 1;
    QTimer m_sweep;
};

} // namespace Switchboard
