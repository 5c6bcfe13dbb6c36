#include "ingresssimulator.h"

#include "http/httpclient.h"
#include "http/httpserver.h"
#include "ingressevent.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QUuid>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// Two tenants whose names nest (the seed's subject pattern could not route the first), one
// plain demo tenant, and one with no route: its events become dead letters at once.
const QStringList routedDomains {u"vietanh.cloudgo.vn"_s, u"cloudgo.vn"_s,
                                 u"demo.switchboard.local"_s};
const QString unroutedDomain = u"unrouted.example.com"_s;

} // namespace

IngressSimulator::IngressSimulator(quint16 port, double eventsPerSecond, SnapshotBoard *board)
    : Engine(u"ingress-simulator"_s, board, HealthAwaits::Nothing)
    , m_port(port)
    , m_eventsPerSecond(eventsPerSecond)
    , m_timer(this)
{
    connect(&m_timer, &QTimer::timeout, this, &IngressSimulator::tick);
}

QList<IngressRoute> IngressSimulator::demoRoutes(quint16 port)
{
    QList<IngressRoute> routes;
    for (const QString &domain : routedDomains) {
        IngressRoute route;
        route.domain = domain;
        route.endpoints = {u"http://127.0.0.1:%1/demo/sink/crm"_s.arg(port),
                           u"http://127.0.0.1:%1/demo/sink/analytics"_s.arg(port)};
        routes.append(route);
    }
    return routes;
}

void IngressSimulator::registerDemoSink(HttpServer &server, double failureShare)
{
    server.addRoute(QHttpServerRequest::Method::Post, u"/demo/sink/{name}"_s,
                    [failureShare](const HttpRequest &, HttpResponder &&responder) {
                        if (QRandomGenerator::global()->generateDouble() < failureShare)
                            return responder.sendError(503, u"demo_failure"_s,
                                                       u"the demo sink fails this share of "
                                                       "requests (simulate.failure_share)"_s);
                        responder.sendJson(200, QJsonObject {{u"status"_s, u"ok"_s}});
                    });
}

QByteArray IngressSimulator::callSignal(const QString &domain)
{
    QRandomGenerator *random = QRandomGenerator::global();
    static const char *states[][3] = {{"answered", "completed", "recv_bye"},
                                      {"missed", "no-answer", "send_cancel"},
                                      {"missed", "busy-line", "recv_bye"}};
    const auto &[state, status, disposition] = states[random->bounded(3)];
    const bool answered = QByteArrayView(state) == "answered";
    const int duration = answered ? random->bounded(20, 600) : random->bounded(3, 40);
    const QDateTime ended = QDateTime::currentDateTime();
    const QDateTime started = ended.addSecs(-duration);
    const QString format = u"yyyy-MM-dd HH:mm:ss"_s;
    auto digits = [&](const QString &prefix, int count) {
        QString text = prefix;
        for (int i = 0; i < count; ++i)
            text += QChar(u'0' + random->bounded(10));
        return text;
    };
    const QJsonObject event {
        {u"actual_hotline"_s, QString()},
        {u"billsec"_s, QString::number(answered ? duration - 1 : 0)},
        {u"call_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {u"crm_contact_id"_s, QString()},
        {u"direction"_s, random->bounded(4) == 0 ? u"outbound"_s : u"inbound"_s},
        {u"domain"_s, domain},
        {u"duration"_s, QString::number(duration)},
        {u"from_number"_s, digits(u"09"_s, 8)},
        {u"hotline"_s, digits(u"0274"_s, 7)},
        {u"network"_s, QStringList {u"vina"_s, u"mobi"_s, u"viettel"_s}[random->bounded(3)]},
        {u"provider"_s, QString()},
        {u"receive_dest"_s, QString::number(random->bounded(2000, 2100))},
        {u"sip_call_id"_s, QString::fromLatin1(newId().left(24)) + u"@10.202.49.38"_s},
        {u"sip_hangup_disposition"_s, QString::fromLatin1(disposition)},
        {u"state"_s, QString::fromLatin1(state)},
        {u"status"_s, QString::fromLatin1(status)},
        {u"time_ended"_s, ended.toString(format)},
        {u"time_started"_s, started.toString(format)},
        {u"to_number"_s, QString()},
    };
    return QJsonDocument(event).toJson(QJsonDocument::Compact);
}

void IngressSimulator::start()
{
    m_http = new HttpClient(HttpClientOptions {}, this);
    m_lastTickMs = QDateTime::currentMSecsSinceEpoch();
    m_timer.start(50);
}

void IngressSimulator::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_credit += m_eventsPerSecond * double(now - m_lastTickMs) / 1000.0;
    m_lastTickMs = now;
    const QUrl url(u"http://127.0.0.1:%1/events"_s.arg(m_port));
    QRandomGenerator *random = QRandomGenerator::global();
    for (; m_credit >= 1 && m_inFlight < maxInFlight; m_credit -= 1) {
        const QString domain = random->bounded(50) == 0
            ? unroutedDomain
            : routedDomains[random->bounded(routedDomains.size())];
        ++m_inFlight;
        m_http->post(url, {{"Content-Type", "application/json"}}, callSignal(domain),
                     Milliseconds(5000), [this](const HttpClientResponse &) { --m_inFlight; });
    }
    // A node that takes fewer events than --simulate-rate asks for is sent what it takes: the
    // rest is dropped, not queued here, where it grew by 0.6 MB a second at 3 000 asked.
    m_credit = std::min(m_credit, 1.0);
}

void IngressSimulator::stop(int)
{
    m_timer.stop();
    Q_EMIT finished();
}

} // namespace Switchboard
