#include "switchboardnode.h"

#include "core/epolleventdispatcher.h"
#include "core/localstack.h"
#include "core/logging.h"
#include "http/httpserver.h"
#include "ingress/ingressapi.h"
#include "ingress/ingressengine.h"
#include "ingress/ingressgateway.h"
#include "ingress/ingresssimulator.h"
#include "polling/pollingservice.h"
#include "statusapi.h"
#include "sync/syncengine.h"
#include "sync/syncsimulator.h"
#include "timeouts/timeoutsapi.h"
#include "timeouts/timeoutsengine.h"

#include <algorithm>
#include <openssl/crypto.h>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

SwitchboardNode::SwitchboardNode(const Config &config, const QStringList &engines, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_engines(engines)
{
    m_httpThread.setObjectName(u"http"_s);
    // QtHttpServer makes a QSslConfiguration, and with it OpenSSL's per-thread random state.
    // OpenSSL frees that when the thread exits, which for a QThread can come after wait() has
    // returned and race the process's own OpenSSL cleanup (a leak at exit under ASan): free it
    // in the thread, as it ends.
    connect(
        &m_httpThread, &QThread::finished, &m_httpThread, [] { OPENSSL_thread_stop(); },
        Qt::DirectConnection);
    connect(&m_host, &EngineHost::stopped, this, [this] {
        stopHttp();
        if (m_localStack)
            m_localStack->stopAll();
        Q_EMIT stopped();
    });
}

SwitchboardNode::~SwitchboardNode()
{
    stopHttp();
}

bool SwitchboardNode::start(QString *error)
{
    if (startParts(error))
        return true;
    // A console whose engines cannot start goes on watching other nodes: nothing of this node's
    // may run on behind it.
    stopHttp();
    if (m_localStack)
        m_localStack->stopAll();
    return false;
}

bool SwitchboardNode::startParts(QString *error)
{
    m_localStack = std::make_unique<LocalStack>(m_config.localStack);
    if (m_engines.contains(u"sync"_s)) {
        SyncConfig &sync = m_config.sync;
        // Only what is not configured comes from the local stack: a migrating team that set
        // REDIS_LOCAL_ADDR and REDIS_REMOTE_ADDR starts no child at all.
        for (auto [endpoint, name] :
             {std::pair(&sync.local, u"sync-local"_s), std::pair(&sync.remote, u"sync-remote"_s)}) {
            if (endpoint->configured)
                continue;
            const auto started = m_localStack->startRedis(name);
            if (!started) {
                *error = m_localStack->errorString();
                return false;
            }
            *endpoint = *started;
        }
        m_host.add(new SyncEngine(sync, m_host.board()));
        if (m_config.simulate.enabled)
            m_host.add(new SyncSimulator(sync, m_config.simulate, m_host.board()));
    }
    if (m_engines.contains(u"ingress"_s) && !addIngress(error))
        return false;
    if (m_engines.contains(u"polling"_s) && !m_config.polling.redis.configured) {
        const auto started = m_localStack->startRedis(u"polling"_s);
        if (!started) {
            *error = m_localStack->errorString();
            return false;
        }
        m_config.polling.redis = *started;
    }
    if (m_engines.contains(u"timeouts"_s) && !addTimeouts(error))
        return false;
    if (!startHttp(error))
        return false;
    m_host.startAll();
    return true;
}

bool SwitchboardNode::addIngress(QString *error)
{
    NatsConfig &nats = m_config.nats;
    if (!nats.configured) {
        const std::optional<QString> url = m_localStack->startNats(u"ingress"_s);
        if (!url) {
            *error = m_localStack->errorString();
            return false;
        }
        nats.url = *url;
    }
    IngressConfig &ingress = m_config.ingress;
    const bool simulate = m_config.simulate.enabled;
    // A newcomer's --simulate with no routes gets the demo routes to the demo sink.
    if (simulate && ingress.routes.isEmpty())
        ingress.routes = IngressSimulator::demoRoutes(m_config.server.port);
    m_ingressGateway = std::make_shared<IngressGateway>();
    m_host.add(new IngressEngine(nats, ingress, m_ingressGateway, m_host.board()));
    if (simulate)
        m_host.add(new IngressSimulator(m_config.server.port,
                                        qMax(1.0, m_config.simulate.eventsPerSecond / 5),
                                        m_host.board()));
    return true;
}

bool SwitchboardNode::addTimeouts(QString *error)
{
    TimeoutsConfig &timeouts = m_config.timeouts;
    if (!timeouts.redis.configured) {
        // REDIS_URL is the Redis of polling and timeouts alike: locally, one server for both.
        if (m_engines.contains(u"polling"_s)) {
            timeouts.redis = m_config.polling.redis;
        } else {
            const auto started = m_localStack->startRedis(u"timeouts"_s);
            if (!started) {
                *error = m_localStack->errorString();
                return false;
            }
            timeouts.redis = *started;
        }
    }
    m_timeoutsCounters = std::make_shared<TimeoutsApiCounters>();
    auto *engine = new TimeoutsEngine(timeouts, m_timeoutsCounters, m_host.board());
    if (m_config.simulate.enabled)
        engine->simulate(std::max(0.5, m_config.simulate.eventsPerSecond / 25));
    m_host.add(engine);
    return true;
}

bool SwitchboardNode::startHttp(QString *error)
{
    m_statusApi = std::make_unique<StatusApi>(m_host.board(), m_config.server.apiToken);
    HttpServerOptions options;
    options.bodyLimitBytes = m_config.server.bodyLimitBytes;
    options.idleTimeout = m_config.server.idleTimeout;

    const quint16 healthPort = m_config.server.healthPort;
    if (m_ingressGateway) {
        m_ingressApi = new IngressApi(m_ingressGateway, m_config.nats, m_config.ingress,
                                      m_config.server.apiToken);
        m_ingressApi->moveToThread(&m_httpThread);
    }
    m_httpContext = new QObject;
    m_httpContext->moveToThread(&m_httpThread);
    // epoll, not poll(): the HTTP thread holds every client connection, long polls included,
    // and Qt's dispatchers pay for all of them on each turn (epolleventdispatcher.h). Given here,
    // where the thread starts: a thread that never starts would leak it.
    m_httpThread.setEventDispatcher(new EpollEventDispatcher);
    m_httpThread.start();
    bool ok = true;
    QMetaObject::invokeMethod(
        m_httpContext,
        [&] {
            // The listeners are made in the HTTP thread, so that a busy engine or the console
            // never delays /health, and made *there* because QAbstractHttpServer keeps its
            // WebSocket server as a plain member (qabstracthttpserver_p.h:44 in 6.4): it stays
            // in the constructing thread, which moveToThread() cannot change.
            m_http = new HttpServer(options);
            m_statusApi->registerRoutes(*m_http);
            if (healthPort != 0 && healthPort != m_config.server.port) {
                m_healthHttp = new HttpServer(options);
                m_statusApi->registerHealthPortRoutes(*m_healthHttp);
            }
            if (m_ingressApi)
                m_ingressApi->registerRoutes(*m_http);
            if (m_engines.contains(u"polling"_s)) {
                m_polling = new PollingService(m_config.polling, m_host.board());
                m_polling->registerRoutes(*m_http);
                m_polling->start();
                if (m_config.simulate.enabled)
                    m_polling->simulate(std::max(1.0, m_config.simulate.eventsPerSecond / 10));
            }
            if (m_timeoutsCounters) {
                m_timeoutsApi = new TimeoutsApi(m_config.timeouts, m_timeoutsCounters);
                m_timeoutsApi->registerRoutes(*m_http);
                m_timeoutsApi->start();
            }
            if (m_ingressGateway && m_config.simulate.enabled)
                IngressSimulator::registerDemoSink(*m_http, m_config.simulate.failureShare);
            QString message;
            ok = m_http->listen(m_config.server.bindAddress, m_config.server.port, &message);
            if (!ok)
                *error = message; // "cannot listen on <address> port <port>: <why>"
            else
                m_httpPort = m_http->serverPorts().value(0);
            if (ok && m_healthHttp) {
                ok = m_healthHttp->listen(m_config.server.bindAddress, healthPort, &message);
                if (!ok)
                    *error = u"HEALTH_PORT: %1"_s.arg(message);
            }
        },
        Qt::BlockingQueuedConnection);
    if (ok)
        qCInfo(lcApp).noquote() << u"HTTP on port %1"_s.arg(m_httpPort)
                + (m_healthHttp ? u" and /health, /metrics on port %1"_s.arg(healthPort)
                                : QString());
    return ok;
}

void SwitchboardNode::stopHttp()
{
    if (!m_httpThread.isRunning())
        return;
    // One call on the HTTP thread, so that no request is dispatched in between: the routes of
    // the ingress API point at it. Parked ingress requests are answered (503) or dropped, if
    // their client left, before the listeners go.
    QMetaObject::invokeMethod(
        m_httpContext,
        [this] {
            for (HttpServer *server : {m_http, m_healthHttp}) {
                if (server)
                    server->close();
            }
            delete m_ingressApi;
            delete m_polling; // answers the polls it holds
            delete m_timeoutsApi;
            delete m_http;
            delete m_healthHttp;
        },
        Qt::BlockingQueuedConnection);
    m_ingressApi = nullptr;
    m_polling = nullptr;
    m_timeoutsApi = nullptr;
    m_http = m_healthHttp = nullptr;
    m_httpThread.quit();
    m_httpThread.wait(3000);
    delete m_httpContext;
    m_httpContext = nullptr;
}

QJsonObject SwitchboardNode::status() const
{
    return m_statusApi ? m_statusApi->status() : QJsonObject();
}

void SwitchboardNode::stop(int deadlineMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    // /health keeps answering while the engines drain; the listeners close last.
    m_host.stopAll(deadlineMs);
}

} // namespace Switchboard
