// The webhook HTTP client against real servers: WebhookSink (its own thread) for ordinary
// endpoints, and raw QTcpServers in the test's thread where a server has to misbehave (chunked or
// unframed answers, interim responses, garbage, closing at the wrong moment, TLS).

#include "http/httpclient.h"
#include "webhooksink.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <functional>
#include <memory>

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;
using namespace Switchboard;
using Switchboard::Test::WebhookSink;

// Emits finished() after `count` ticks. QSignalSpy::wait() runs a real event loop, where QTRY_*
// polls with 10 ms sleeps: one round trip per sleep would make request chains crawl.
class Countdown : public QObject
{
    Q_OBJECT

public:
    explicit Countdown(int count)
        : m_left(count)
    {
    }
    void tick()
    {
        if (--m_left == 0)
            Q_EMIT finished();
    }

Q_SIGNALS:
    void finished();

private:
    int m_left;
};

namespace {

constexpr int waitMs = 5000;

// What one post() delivered, and how often (the contract is exactly once).
struct Outcome
{
    int calls = 0;
    HttpClientResponse response;
    qint64 elapsedMs = -1; // from post() to the callback
};
using OutcomePtr = std::shared_ptr<Outcome>;

OutcomePtr post(HttpClient &client, const QUrl &url, const QByteArray &body = "{\"n\":1}",
                const HttpClient::Headers &headers = {}, std::chrono::milliseconds timeout = 5s,
                Countdown *countdown = nullptr)
{
    auto outcome = std::make_shared<Outcome>();
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    client.post(url, headers, body, timeout,
                [outcome, clock, countdown](const HttpClientResponse &response) {
                    ++outcome->calls;
                    outcome->response = response;
                    outcome->elapsedMs = clock->elapsed();
                    if (countdown)
                        countdown->tick();
                });
    return outcome;
}

bool allDone(const QList<OutcomePtr> &outcomes)
{
    return std::all_of(outcomes.begin(), outcomes.end(),
                       [](const OutcomePtr &each) { return each->calls > 0; });
}

// The raw bytes of one request a FakeServer received, and where to answer it.
struct Exchange
{
    QTcpSocket *socket = nullptr;
    int connection = 0; // 1-based, in accept order
    int requestOnConnection = 0; // 1-based
    QByteArray request;
};

// A raw HTTP server in the test's thread: each complete request (head and Content-Length body)
// goes to the test's script, which writes whatever bytes the test needs.
class FakeServer : public QObject
{
public:
    using Script = std::function<void(const Exchange &)>;

    explicit FakeServer(Script script)
        : m_script(std::move(script))
    {
        connect(&m_tcp, &QTcpServer::newConnection, this, &FakeServer::accept);
    }

    bool listen(const QHostAddress &address = QHostAddress::LocalHost)
    {
        return m_tcp.listen(address, 0);
    }
    QUrl url(const QString &path = u"/hook"_s, const QString &scheme = u"http"_s) const
    {
        const QHostAddress address = m_tcp.serverAddress();
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
            ? u'[' + address.toString() + u']'
            : address.toString();
        return QUrl(u"%1://%2:%3%4"_s.arg(scheme, host).arg(m_tcp.serverPort()).arg(path));
    }

    int connections = 0;
    int requests = 0;

private:
    struct Peer
    {
        QByteArray buffer;
        int connection = 0;
        int requests = 0;
    };

    void accept()
    {
        while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
            socket->setParent(this);
            auto peer = std::make_shared<Peer>();
            peer->connection = ++connections;
            connect(socket, &QIODevice::readyRead, socket,
                    [this, socket, peer] { read(socket, peer.get()); });
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void read(QTcpSocket *socket, Peer *peer)
    {
        peer->buffer += socket->readAll();
        while (socket->state() == QAbstractSocket::ConnectedState) {
            const qsizetype headEnd = peer->buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = peer->buffer.first(headEnd).toLower();
            qsizetype length = 0;
            if (const qsizetype at = head.indexOf("\r\ncontent-length:"); at >= 0) {
                const qsizetype end = head.indexOf("\r\n", at + 2);
                length = head.mid(at + 17, end < 0 ? -1 : end - at - 17).trimmed().toLongLong();
            }
            if (peer->buffer.size() < headEnd + 4 + length)
                return;
            Exchange exchange {socket, peer->connection, ++peer->requests,
                               peer->buffer.first(headEnd + 4 + length)};
            peer->buffer.remove(0, headEnd + 4 + length);
            ++requests;
            m_script(exchange);
        }
    }

    Script m_script;
    QTcpServer m_tcp {this};
};

QByteArray okResponse(const QByteArray &body = "ok", int status = 200)
{
    return "HTTP/1.1 " + QByteArray::number(status)
        + " X\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// A self-signed certificate for 127.0.0.1 (CN and IP SAN), valid until 2126: test material only.
const char testCertificate[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIBkDCCATagAwIBAgIUb8O2F+Lmwg9s+2FrK8WLrqCNgEMwCgYIKoZIzj0EAwIw\n"
                               "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMzEwNTcyM1oYDzIxMjYxMDMw\n"
                               "MTA1NzIzWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
                               "PQMBBwNCAAQ8O/pTeFnpE113vPoQvm/9WKklmonkjefOVuGa8ZbpH3DczSPuJzXS\n"
                               "x+iruZU0icga++OoQuemNeJVxcfKuekVo2QwYjAdBgNVHQ4EFgQUXAdnVY/qP4jQ\n"
                               "1sCC9UmezFcBsXwwHwYDVR0jBBgwFoAUXAdnVY/qP4jQ1sCC9UmezFcBsXwwDwYD\n"
                               "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC\n"
                               "IQDgIWMnm/qRWuYdBBJcHJRbM7rFLKANj7TBnbO+wWxTyAIgYaVeJ3NrPpE+Y1O9\n"
                               "dUEtar8dPjy9AXz6ew9GMbUUtQU=\n"
                               "-----END CERTIFICATE-----\n";
const char testPrivateKey[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/j0TCWvby8SC3wRT\n"
                              "ICf5WAWDLJQ2253V4ZvgCPZiUEahRANCAAQ8O/pTeFnpE113vPoQvm/9WKklmonk\n"
                              "jefOVuGa8ZbpH3DczSPuJzXSx+iruZU0icga++OoQuemNeJVxcfKuekV\n"
                              "-----END PRIVATE KEY-----\n";

// The same key in a certificate for 127.0.0.1 that expired on 2020-01-02: test material only.
const char expiredCertificate[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBTTCB9KADAgECAhQ1+dkayeEb/nYizclf8VLC7l0M9TAKBggqhkjOPQQDAjAU\n"
    "MRIwEAYDVQQDDAkxMjcuMC4wLjEwHhcNMjAwMTAxMDAwMDAwWhcNMjAwMTAyMDAw\n"
    "MDAwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMB\n"
    "BwNCAAQ8O/pTeFnpE113vPoQvm/9WKklmonkjefOVuGa8ZbpH3DczSPuJzXSx+ir\n"
    "uZU0icga++OoQuemNeJVxcfKuekVoyQwIjAPBgNVHRMBAf8EBTADAQH/MA8GA1Ud\n"
    "EQQIMAaHBH8AAAEwCgYIKoZIzj0EAwIDSAAwRQIgajl1SBxJ2Uwk0ZiELrv7FhsP\n"
    "ragqZ2w0V+ZVFn3aRlsCIQCeC/Y7zJPKJjc1cRDjRDy2o6qfnvKvk912BAxcYmkg\n"
    "Hg==\n"
    "-----END CERTIFICATE-----\n";

// An HTTPS server in the test's thread answering every request 200 "ok".
class TlsServer : public QTcpServer
{
public:
    explicit TlsServer(QByteArray certificate = testCertificate)
        : m_certificate(std::move(certificate))
    {
    }
    QUrl url(const QString &host = u"127.0.0.1"_s) const
    {
        return QUrl(u"https://%1:%2/hook"_s.arg(host).arg(serverPort()));
    }
    int requests = 0;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setLocalCertificate(QSslCertificate(m_certificate));
        socket->setPrivateKey(QSslKey(QByteArray(testPrivateKey), QSsl::Ec));
        connect(socket, &QIODevice::readyRead, socket, [this, socket] {
            const QByteArray data = socket->readAll();
            if (data.contains("\r\n\r\n")) {
                ++requests;
                socket->write(okResponse());
            }
        });
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        socket->startServerEncryption();
    }

private:
    const QByteArray m_certificate;
};

// Trusts one certificate (PEM; none when empty) for as long as it lives.
class TrustCertificate
{
public:
    explicit TrustCertificate(const QByteArray &pem)
        : m_original(QSslConfiguration::defaultConfiguration())
    {
        QSslConfiguration trusting = m_original;
        if (!pem.isEmpty())
            trusting.addCaCertificate(QSslCertificate(pem));
        QSslConfiguration::setDefaultConfiguration(trusting);
    }
    ~TrustCertificate() { QSslConfiguration::setDefaultConfiguration(m_original); }
    Q_DISABLE_COPY_MOVE(TrustCertificate)

private:
    const QSslConfiguration m_original;
};

} // namespace

class tst_HttpClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void bodyAndHeadersArriveExactly();
    void userInfoBecomesBasicAuthorization();
    void keepAliveReusesOneConnection();
    void connectionsPerHostAreBounded();
    void errorStatusKeepsBodyPrefix();
    void longBodyIsConsumedAndCutToPrefix();
    void chunkedResponse();
    void clientClosesWhenServerDoesNotKeepAlive_data();
    void clientClosesWhenServerDoesNotKeepAlive();
    void responseWithoutLengthEndsAtClose();
    void interimResponsesAreSkipped();
    void timeoutWithNeverAnsweringServer();
    void queuedRequestsTimeOutOnlyOnceSent();
    void abandonedRequestsFailAtOnceAndOthersGoOn();
    void lateResponseIsNotMatchedToTheNextRequest();
    void slowAndFastResponsesStayApart();
    void connectionRefused();
    void hostNotFound();
    void serverClosingIdleConnectionsIsInvisible();
    void staleConnectionIsRetriedOnceOnAFreshOne();
    void freshConnectionIsNotRetried();
    void noRetryAfterResponseBytes();
    void failedConnectionDoesNotStopTheQueue();
    void badResponses_data();
    void badResponses();
    void callbacksNeverRunInsidePost();
    void destroyingTheClientDropsCallbacks();
    void destroyingTheClientFromACallback();
    void idleConnectionsAreClosed();
    void httpsWithUntrustedCertificateFails();
    void httpsWithTrustedCertificate();
    void sinkDecodesChunkedBodiesAndCanRecordLess();

    // What webhook endpoints in the wild do.
    void redirectIsNotFollowedAndNamesItsTarget_data();
    void redirectIsNotFollowedAndNamesItsTarget();
    void bigBodyIsNotReadToItsEnd_data();
    void bigBodyIsNotReadToItsEnd();
    void timeoutNamesWhereTheExchangeStood_data();
    void timeoutNamesWhereTheExchangeStood();
    void timeoutInTheTlsHandshake();
    void timeoutWhileConnecting();
    void invalidUrlsAreNamed_data();
    void invalidUrlsAreNamed();
    void httpsCertificateProblemsAreNamed_data();
    void httpsCertificateProblemsAreNamed();
    void ipv6LiteralHost();
    void serverClosingEachConnectionAfterItsAnswerLosesNothing_data();
    void serverClosingEachConnectionAfterItsAnswerLosesNothing();

private:
    std::unique_ptr<WebhookSink> m_sink;
};

void tst_HttpClient::init()
{
    m_sink = std::make_unique<WebhookSink>();
    QVERIFY(m_sink->start());
}

void tst_HttpClient::cleanup()
{
    m_sink.reset();
}

void tst_HttpClient::bodyAndHeadersArriveExactly()
{
    HttpClient client;
    QByteArray body("{\"event\":\"call.started\",\"bytes\":\"");
    body.append('\0').append("\r\n\r\n\xff\x01").append("\"}");
    const QUrl url(m_sink->url(u"/hook/a?tenant=b%20c&x=1"_s));
    const auto outcome =
        post(client, url, body, {{"Content-Type", "application/json"}, {"X-Event-Id", "ev-42"}});

    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, QString());
    QCOMPARE(outcome->response.status, 200);
    QVERIFY(outcome->response.ok());
    QCOMPARE(outcome->response.bodyPrefix, QByteArray("{}"));

    const QList<WebhookSink::Received> received = m_sink->received();
    QCOMPARE(received.size(), 1);
    const WebhookSink::Received &request = received.constFirst();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.path, QByteArray("/hook/a?tenant=b%20c&x=1"));
    QCOMPARE(request.body, body);
    QCOMPARE(request.header("host"), "127.0.0.1:" + QByteArray::number(m_sink->port()));
    QCOMPARE(request.header("Content-Length"), QByteArray::number(body.size()));
    QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request.header("X-Event-Id"), QByteArray("ev-42"));
    QCOMPARE(request.header("User-Agent"), QByteArray("Switchboard"));
    QCOMPARE(request.header("Authorization"), QByteArray());
    // Each header once: the client adds none twice.
    for (const auto &[name, value] : request.headers) {
        const auto same = std::count_if(
            request.headers.begin(), request.headers.end(), [&name](const auto &other) {
                return other.first.compare(name, Qt::CaseInsensitive) == 0;
            });
        QVERIFY2(same == 1, name.constData());
    }
}

void tst_HttpClient::userInfoBecomesBasicAuthorization()
{
    HttpClientOptions options;
    options.userAgent = "Switchboard/test";
    HttpClient client(options);
    QUrl url(m_sink->url());
    url.setUserName(u"hook-user"_s);
    url.setPassword(u"p@ss:word"_s);
    const auto outcome = post(client, url);

    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QVERIFY2(outcome->response.ok(), qPrintable(outcome->response.error));
    const WebhookSink::Received request = m_sink->received().value(0);
    QCOMPARE(request.header("Authorization"),
             "Basic " + QByteArray("hook-user:p@ss:word").toBase64());
    QCOMPARE(request.header("User-Agent"), QByteArray("Switchboard/test"));
    QCOMPARE(request.path, QByteArray("/hook"));
}

void tst_HttpClient::keepAliveReusesOneConnection()
{
    HttpClient client;
    // One after the other: each callback posts the next.
    Countdown countdown(100);
    QSignalSpy finished(&countdown, &Countdown::finished);
    int done = 0;
    QStringList errors;
    std::function<void()> postNext = [&] {
        const QByteArray id = QByteArray::number(done);
        client.post(QUrl(m_sink->url()), {{"X-Event-Id", id}}, "event " + id, 5s,
                    [&](const HttpClientResponse &response) {
                        if (!response.ok())
                            errors.append(response.error);
                        countdown.tick();
                        if (++done < 100)
                            postNext();
                    });
    };
    postNext();
    QVERIFY(finished.wait(waitMs));
    QCOMPARE(done, 100);
    QCOMPARE(errors, QStringList());
    QCOMPARE(m_sink->count(), 100);
    QCOMPARE(m_sink->maxConcurrentConnections(), 1);
    QCOMPARE(client.openConnections(), 1);
    const QList<WebhookSink::Received> received = m_sink->received();
    for (int i = 0; i < received.size(); ++i) {
        QCOMPARE(received.at(i).header("X-Event-Id"), QByteArray::number(i));
        QCOMPARE(received.at(i).body, "event " + QByteArray::number(i));
    }
}

void tst_HttpClient::connectionsPerHostAreBounded()
{
    // A short delay keeps every connection busy, so the queue is what serves the rest.
    m_sink->setResponder([](const WebhookSink::Received &, int) {
        WebhookSink::Answer answer;
        answer.delayMs = 2;
        return answer;
    });
    HttpClientOptions options;
    options.maxConnectionsPerHost = 4;
    HttpClient client(options);
    Countdown countdown(200);
    QSignalSpy finished(&countdown, &Countdown::finished);
    QList<OutcomePtr> outcomes;
    for (int i = 0; i < 200; ++i)
        outcomes.append(post(client, QUrl(m_sink->url()), "{}", {}, 10s, &countdown));
    QCOMPARE(client.openConnections(), 4);
    QCOMPARE(client.queuedRequests(), 196);

    QVERIFY(finished.wait(10000));
    for (const OutcomePtr &outcome : std::as_const(outcomes)) {
        QCOMPARE(outcome->calls, 1);
        QVERIFY2(outcome->response.ok(), qPrintable(outcome->response.error));
    }
    QCOMPARE(m_sink->count(), 200);
    QVERIFY2(m_sink->maxConcurrentConnections() <= 4,
             qPrintable(QString::number(m_sink->maxConcurrentConnections())));
    QCOMPARE(client.queuedRequests(), 0);
    QVERIFY(client.openConnections() <= 4);
}

void tst_HttpClient::errorStatusKeepsBodyPrefix()
{
    m_sink->setResponder([](const WebhookSink::Received &, int) {
        WebhookSink::Answer answer;
        answer.status = 500;
        answer.body = "{\"error\":\"database unavailable\"}";
        return answer;
    });
    HttpClient client;
    const auto outcome = post(client, QUrl(m_sink->url()));
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.status, 500);
    QCOMPARE(outcome->response.error, QString());
    QVERIFY(!outcome->response.ok());
    QCOMPARE(outcome->response.bodyPrefix, QByteArray("{\"error\":\"database unavailable\"}"));
}

void tst_HttpClient::longBodyIsConsumedAndCutToPrefix()
{
    const QByteArray longBody = QByteArray(300, 'a') + QByteArray(5000, 'b');
    m_sink->setResponder([longBody](const WebhookSink::Received &request, int) {
        WebhookSink::Answer answer;
        if (request.path == "/long")
            answer.body = longBody;
        return answer;
    });
    HttpClient client;
    const auto first = post(client, QUrl(m_sink->url(u"/long"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(first->calls, 1, waitMs);
    QCOMPARE(first->response.status, 200);
    QCOMPARE(first->response.bodyPrefix, longBody.first(512));

    // The whole body was read: the same connection carries the next exchange in step.
    const auto second = post(client, QUrl(m_sink->url()));
    QTRY_COMPARE_WITH_TIMEOUT(second->calls, 1, waitMs);
    QVERIFY2(second->response.ok(), qPrintable(second->response.error));
    QCOMPARE(second->response.bodyPrefix, QByteArray("{}"));
    QCOMPARE(m_sink->maxConcurrentConnections(), 1);
}

void tst_HttpClient::chunkedResponse()
{
    FakeServer server([](const Exchange &exchange) {
        QTcpSocket *socket = exchange.socket;
        if (exchange.requestOnConnection > 1) {
            socket->write(okResponse("second", 201));
            return;
        }
        // In pieces, split inside the size line, the data and the CRLF after it.
        const QList<QByteArray> pieces {
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n4",
            ";ext=1\r\nWi",
            "ki\r",
            "\n5\r\npedia\r\n",
            "1A\r\n",
            QByteArray(26, 'z') + "\r\n",
            "0\r\nX-Trailer: yes\r\n",
            "\r\n"};
        for (int i = 0; i < pieces.size(); ++i) {
            QTimer::singleShot(i * 10, socket, [socket, piece = pieces.at(i)] {
                socket->write(piece);
                socket->flush();
            });
        }
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto first = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(first->calls, 1, waitMs);
    QCOMPARE(first->response.error, QString());
    QCOMPARE(first->response.status, 200);
    QCOMPARE(first->response.bodyPrefix, "Wikipedia" + QByteArray(26, 'z'));

    const auto second = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(second->calls, 1, waitMs);
    QCOMPARE(second->response.status, 201);
    QCOMPARE(second->response.bodyPrefix, QByteArray("second"));
    QCOMPARE(server.connections, 1);
}

void tst_HttpClient::clientClosesWhenServerDoesNotKeepAlive_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("connections");

    QTest::newRow("HTTP/1.1 Connection: close")
        << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n") << 2;
    QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n") << 2;
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n")
        << 1;
    QTest::newRow("HTTP/1.1 default")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n") << 1;
}

void tst_HttpClient::clientClosesWhenServerDoesNotKeepAlive()
{
    QFETCH(QByteArray, head);
    QFETCH(int, connections);

    // The server never closes: whether the connection is reused is the client's decision.
    FakeServer server([head](const Exchange &exchange) { exchange.socket->write(head + "ok"); });
    QVERIFY(server.listen());
    HttpClient client;
    const auto first = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(first->calls, 1, waitMs);
    QVERIFY2(first->response.ok(), qPrintable(first->response.error));
    QCOMPARE(client.openConnections(), connections == 1 ? 1 : 0);

    const auto second = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(second->calls, 1, waitMs);
    QVERIFY2(second->response.ok(), qPrintable(second->response.error));
    QCOMPARE(second->response.bodyPrefix, QByteArray("ok"));
    QCOMPARE(server.connections, connections);
}

void tst_HttpClient::responseWithoutLengthEndsAtClose()
{
    FakeServer server([](const Exchange &exchange) {
        QTcpSocket *socket = exchange.socket;
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello ");
        QTimer::singleShot(50, socket, [socket] {
            socket->write("world");
            socket->disconnectFromHost();
        });
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, QString());
    QCOMPARE(outcome->response.status, 200);
    QCOMPARE(outcome->response.bodyPrefix, QByteArray("hello world"));
    QCOMPARE(client.openConnections(), 0);
}

void tst_HttpClient::interimResponsesAreSkipped()
{
    FakeServer server([](const Exchange &exchange) {
        exchange.socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        exchange.socket->flush();
        exchange.socket->write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                               "HTTP/1.1 201 Created\r\nContent-Length: 7\r\n\r\ncreated");
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, QString());
    QCOMPARE(outcome->response.status, 201);
    QCOMPARE(outcome->response.bodyPrefix, QByteArray("created"));
}

void tst_HttpClient::timeoutWithNeverAnsweringServer()
{
    m_sink->setResponder([](const WebhookSink::Received &request, int) {
        WebhookSink::Answer answer;
        answer.neverAnswer = request.path == "/stuck";
        return answer;
    });
    HttpClient client;
    const auto stuck = post(client, QUrl(m_sink->url(u"/stuck"_s)), "{}", {}, 300ms);
    QTRY_COMPARE_WITH_TIMEOUT(stuck->calls, 1, waitMs);
    QCOMPARE(stuck->response.error, u"timed out after 300 ms waiting for a response"_s);
    QCOMPARE(stuck->response.status, 0);
    QVERIFY2(stuck->elapsedMs >= 300 && stuck->elapsedMs <= 1300,
             qPrintable(QString::number(stuck->elapsedMs)));
    // The connection that carried it is gone (a late answer there must not reach anyone).
    QCOMPARE(client.openConnections(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_sink->openConnections(), 0, waitMs);

    const auto healthy = post(client, QUrl(m_sink->url()));
    QTRY_COMPARE_WITH_TIMEOUT(healthy->calls, 1, waitMs);
    QVERIFY2(healthy->response.ok(), qPrintable(healthy->response.error));
    QCOMPARE(stuck->calls, 1);
}

void tst_HttpClient::queuedRequestsTimeOutOnlyOnceSent()
{
    // A slow endpoint behind one connection: the request waiting for it gets its whole timeout
    // once it goes out, however long it waited.
    m_sink->setResponder([](const WebhookSink::Received &request, int) {
        WebhookSink::Answer answer;
        answer.neverAnswer = request.path == "/stuck";
        return answer;
    });
    HttpClientOptions options;
    options.maxConnectionsPerHost = 1;
    HttpClient client(options);
    const auto stuck = post(client, QUrl(m_sink->url(u"/stuck"_s)), "{}", {}, 700ms);
    const auto queued = post(client, QUrl(m_sink->url()), "{}", {}, 200ms);
    QCOMPARE(client.queuedRequests(), 1);

    QTRY_COMPARE_WITH_TIMEOUT(stuck->calls, 1, waitMs);
    QCOMPARE(stuck->response.error, u"timed out after 700 ms waiting for a response"_s);
    // It waited 700 ms, more than its own 200, and was still sent and answered.
    QTRY_COMPARE_WITH_TIMEOUT(queued->calls, 1, waitMs);
    QVERIFY2(queued->response.ok(), qPrintable(queued->response.error));
    QVERIFY2(queued->elapsedMs >= 700, qPrintable(QString::number(queued->elapsedMs)));
    QCOMPARE(client.queuedRequests(), 0);
    QCOMPARE(m_sink->count(u"/hook"_s), 1);
}

// Ingress gives up on an endpoint that keeps failing: its requests still waiting for a connection
// fail at once, those already sent run their course, and another URL of the same host is served.
void tst_HttpClient::abandonedRequestsFailAtOnceAndOthersGoOn()
{
    m_sink->setResponder([](const WebhookSink::Received &request, int) {
        WebhookSink::Answer answer;
        answer.neverAnswer = request.path == "/stuck";
        return answer;
    });
    HttpClientOptions options;
    options.maxConnectionsPerHost = 1;
    HttpClient client(options);
    const QUrl stuckUrl(m_sink->url(u"/stuck"_s));
    const auto sent = post(client, stuckUrl, "{}", {}, 500ms);
    const auto waiting1 = post(client, stuckUrl, "{}", {}, 500ms);
    const auto other = post(client, QUrl(m_sink->url()), "{}", {}, 2s);
    const auto waiting2 = post(client, stuckUrl, "{}", {}, 500ms);
    QTRY_COMPARE_WITH_TIMEOUT(m_sink->count(u"/stuck"_s), 1, waitMs);
    QCOMPARE(client.queuedRequests(), 3);

    client.abandonQueued(stuckUrl, u"not sent: given up"_s);
    QCOMPARE(client.queuedRequests(), 1);
    QCOMPARE(waiting1->calls, 0); // never from inside the call
    QTRY_COMPARE_WITH_TIMEOUT(waiting2->calls, 1, 100);
    QCOMPARE(waiting1->calls, 1);
    QCOMPARE(waiting1->response.error, u"not sent: given up"_s);
    QVERIFY(waiting1->response.abandoned);
    QCOMPARE(waiting1->response.status, 0);
    QCOMPARE(waiting2->response.error, u"not sent: given up"_s);
    QCOMPARE(sent->calls, 0);

    QTRY_COMPARE_WITH_TIMEOUT(sent->calls, 1, waitMs);
    QCOMPARE(sent->response.error, u"timed out after 500 ms waiting for a response"_s);
    QVERIFY(!sent->response.abandoned);
    QTRY_COMPARE_WITH_TIMEOUT(other->calls, 1, waitMs);
    QVERIFY2(other->response.ok(), qPrintable(other->response.error));
    QCOMPARE(m_sink->count(u"/stuck"_s), 1);
    QCOMPARE(client.queuedRequests(), 0);
}

void tst_HttpClient::lateResponseIsNotMatchedToTheNextRequest()
{
    m_sink->setResponder([](const WebhookSink::Received &request, int) {
        WebhookSink::Answer answer;
        if (request.path == "/late") {
            answer.delayMs = 400;
            answer.status = 201;
            answer.body = "late";
        }
        return answer;
    });
    HttpClientOptions options;
    options.maxConnectionsPerHost = 1;
    HttpClient client(options);
    const auto late = post(client, QUrl(m_sink->url(u"/late"_s)), "{}", {}, 150ms);
    QTRY_COMPARE_WITH_TIMEOUT(late->calls, 1, waitMs);
    QCOMPARE(late->response.error, u"timed out after 150 ms waiting for a response"_s);

    const auto next = post(client, QUrl(m_sink->url()), "{}", {}, 2s);
    QTRY_COMPARE_WITH_TIMEOUT(next->calls, 1, waitMs);
    QCOMPARE(next->response.status, 200);
    QCOMPARE(next->response.bodyPrefix, QByteArray("{}"));
    // Past the moment the late answer would have been written: nobody got it.
    QTest::qWait(400);
    QCOMPARE(late->calls, 1);
    QCOMPARE(next->calls, 1);
}

void tst_HttpClient::slowAndFastResponsesStayApart()
{
    m_sink->setResponder([](const WebhookSink::Received &request, int) {
        WebhookSink::Answer answer;
        if (request.path == "/slow") {
            answer.delayMs = 300;
            answer.status = 201;
            answer.body = "slow";
        } else {
            answer.status = 202;
            answer.body = "fast";
        }
        return answer;
    });
    HttpClient client;
    const auto slow = post(client, QUrl(m_sink->url(u"/slow"_s)));
    const auto fast = post(client, QUrl(m_sink->url(u"/fast"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(fast->calls, 1, waitMs);
    QCOMPARE(slow->calls, 0);
    QCOMPARE(fast->response.status, 202);
    QCOMPARE(fast->response.bodyPrefix, QByteArray("fast"));
    QTRY_COMPARE_WITH_TIMEOUT(slow->calls, 1, waitMs);
    QCOMPARE(slow->response.status, 201);
    QCOMPARE(slow->response.bodyPrefix, QByteArray("slow"));
    QCOMPARE(fast->calls, 1);
}

void tst_HttpClient::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        port = closed.serverPort();
    }
    HttpClient client;
    const auto outcome = post(client, QUrl(u"http://127.0.0.1:%1/hook"_s.arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, u"connection refused"_s);
    QCOMPARE(outcome->response.status, 0);
    QVERIFY(!outcome->response.ok());
    QCOMPARE(client.openConnections(), 0);
}

void tst_HttpClient::hostNotFound()
{
    HttpClient client;
    // .invalid never resolves (RFC 6761).
    const auto outcome = post(client, QUrl(u"http://no-such-host.invalid/hook"_s), "{}", {}, 4s);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    if (outcome->response.error.startsWith(u"timed out"_s))
        QSKIP("the resolver did not answer within 4 s");
    QCOMPARE(outcome->response.error, u"host not found"_s);
}

void tst_HttpClient::serverClosingIdleConnectionsIsInvisible()
{
    HttpClient client;
    const auto first = post(client, QUrl(m_sink->url()), "first");
    QTRY_COMPARE_WITH_TIMEOUT(first->calls, 1, waitMs);
    QVERIFY(first->response.ok());
    QCOMPARE(client.openConnections(), 1);

    // Closed by the server, and the client has not run its event loop since: it takes the dead
    // connection for the next request and has to notice.
    m_sink->closeIdleConnections();
    const auto second = post(client, QUrl(m_sink->url()), "second");
    QTRY_COMPARE_WITH_TIMEOUT(second->calls, 1, waitMs);
    QVERIFY2(second->response.ok(), qPrintable(second->response.error));
    QCOMPARE(m_sink->count(), 2);
    QCOMPARE(m_sink->received().value(1).body, QByteArray("second"));
}

void tst_HttpClient::staleConnectionIsRetriedOnceOnAFreshOne()
{
    // The first connection answers one request, then closes on the next one without a word, as a
    // server does when its idle timer fires as the request arrives.
    FakeServer server([](const Exchange &exchange) {
        if (exchange.connection == 1 && exchange.requestOnConnection == 2)
            exchange.socket->abort();
        else
            exchange.socket->write(okResponse(exchange.request.endsWith("two") ? "2" : "1"));
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto one = post(client, server.url(), "one");
    QTRY_COMPARE_WITH_TIMEOUT(one->calls, 1, waitMs);
    QVERIFY(one->response.ok());

    const auto two = post(client, server.url(), "two");
    QTRY_COMPARE_WITH_TIMEOUT(two->calls, 1, waitMs);
    QVERIFY2(two->response.ok(), qPrintable(two->response.error));
    QCOMPARE(two->response.bodyPrefix, QByteArray("2"));
    QCOMPARE(server.connections, 2);
    QCOMPARE(server.requests, 3);
}

void tst_HttpClient::freshConnectionIsNotRetried()
{
    FakeServer server([](const Exchange &exchange) { exchange.socket->abort(); });
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, u"connection closed before a response"_s);
    QTest::qWait(100); // time enough for a retry to show up at the server
    QCOMPARE(server.requests, 1);
    QCOMPARE(outcome->calls, 1);
}

void tst_HttpClient::noRetryAfterResponseBytes()
{
    FakeServer server([](const Exchange &exchange) {
        if (exchange.requestOnConnection == 1) {
            exchange.socket->write(okResponse());
        } else {
            exchange.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            exchange.socket->flush();
            exchange.socket->abort();
        }
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto one = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(one->calls, 1, waitMs);
    QVERIFY(one->response.ok());

    const auto two = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(two->calls, 1, waitMs);
    QCOMPARE(two->response.error, u"connection closed before the response was complete"_s);
    QCOMPARE(two->response.status, 0);
    QTest::qWait(100);
    QCOMPARE(server.requests, 2);
}

void tst_HttpClient::failedConnectionDoesNotStopTheQueue()
{
    FakeServer server([](const Exchange &exchange) {
        if (exchange.connection == 1)
            exchange.socket->abort();
        else
            exchange.socket->write(okResponse());
    });
    QVERIFY(server.listen());
    HttpClientOptions options;
    options.maxConnectionsPerHost = 1;
    HttpClient client(options);
    const QList<OutcomePtr> outcomes {post(client, server.url()), post(client, server.url()),
                                      post(client, server.url())};
    QTRY_VERIFY_WITH_TIMEOUT(allDone(outcomes), waitMs);
    QCOMPARE(outcomes.at(0)->response.error, u"connection closed before a response"_s);
    QVERIFY2(outcomes.at(1)->response.ok(), qPrintable(outcomes.at(1)->response.error));
    QVERIFY2(outcomes.at(2)->response.ok(), qPrintable(outcomes.at(2)->response.error));
    QTest::qWait(50);
    for (const OutcomePtr &outcome : outcomes)
        QCOMPARE(outcome->calls, 1);
    QCOMPARE(server.connections, 2);
}

void tst_HttpClient::badResponses_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("error");

    QTest::newRow("garbage") << QByteArray("NOT HTTP AT ALL\r\n\r\n")
                             << u"bad response: status line \"NOT HTTP AT ALL\""_s;
    QTest::newRow("status not a number")
        << QByteArray("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n")
        << u"bad response: status line \"HTTP/1.1 2x0 OK\""_s;
    QTest::newRow("HTTP/2 status line")
        << QByteArray("HTTP/2 200\r\n\r\n") << u"bad response: status line \"HTTP/2 200\""_s;
    QTest::newRow("negative Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n")
        << u"bad response: Content-Length \"-5\""_s;
    QTest::newRow("conflicting Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")
        << u"bad response: conflicting Content-Length headers"_s;
    QTest::newRow("header without colon")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok")
        << u"bad response: header line \"Content-Length 2\""_s;
    QTest::newRow("bad chunk size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        << u"bad response: chunk size \"zz\""_s;
    QTest::newRow("chunk longer than its size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n")
        << u"bad response: chunk data longer than its size"_s;
    QTest::newRow("switching protocols")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
        << u"bad response: unexpected 101 Switching Protocols"_s;
    QByteArray huge = "HTTP/1.1 200 OK\r\n";
    while (huge.size() < 70 * 1024)
        huge += "X-Filler: " + QByteArray(100, 'f') + "\r\n";
    QTest::newRow("header block over 64 KiB")
        << huge << u"bad response: header block larger than 64 KiB"_s;
}

void tst_HttpClient::badResponses()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, error);

    // The first request gets the bad answer, the next a good one.
    FakeServer server([answer](const Exchange &exchange) {
        exchange.socket->write(exchange.connection == 1 ? answer : okResponse());
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto bad = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(bad->calls, 1, waitMs);
    QCOMPARE(bad->response.error, error);
    QCOMPARE(bad->response.status, 0);
    QCOMPARE(client.openConnections(), 0);

    // That connection was closed; a new one carries on.
    const auto good = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(good->calls, 1, waitMs);
    QCOMPARE(good->response.error, QString());
    QCOMPARE(server.connections, 2);
    QCOMPARE(bad->calls, 1);
}

void tst_HttpClient::callbacksNeverRunInsidePost()
{
    quint16 refusedPort = 0;
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        refusedPort = closed.serverPort();
    }
    HttpClient client;
    bool insidePost = false;
    int calledInsidePost = 0;
    QStringList errors;
    int nestedCalls = 0;
    const auto postChecked = [&](const QUrl &url, const HttpClient::Headers &headers,
                                 HttpClient::Callback also = {}) {
        insidePost = true;
        client.post(url, headers, "{}", 2s, [&, also](const HttpClientResponse &response) {
            if (insidePost)
                ++calledInsidePost;
            errors.append(response.error);
            if (also)
                also(response);
        });
        insidePost = false;
    };

    postChecked(QUrl(), {});
    postChecked(QUrl(u"ftp://127.0.0.1/hook"_s), {});
    postChecked(QUrl(m_sink->url()), {{"Host", "elsewhere"}});
    postChecked(QUrl(m_sink->url()), {{"X-Evil", "a\r\nInjected: yes"}});
    postChecked(QUrl(u"http://127.0.0.1:%1/hook"_s.arg(refusedPort)), {});
    // A callback that posts again: the second callback does not run inside that post() either.
    postChecked(QUrl(m_sink->url()), {}, [&](const HttpClientResponse &) {
        postChecked(QUrl(u"ftp://127.0.0.1/again"_s), {},
                    [&](const HttpClientResponse &) { ++nestedCalls; });
    });
    QCOMPARE(errors.size(), 0);

    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 7, waitMs);
    QCOMPARE(calledInsidePost, 0);
    QCOMPARE(nestedCalls, 1);
    QVERIFY2(errors.contains(u"invalid URL: empty"_s), qPrintable(errors.join(u" | "_s)));
    QVERIFY(errors.contains(u"unsupported URL scheme \"ftp\""_s));
    QVERIFY(errors.contains(u"header \"Host\" is set by the client"_s));
    QVERIFY(errors.contains(u"invalid header \"X-Evil\""_s));
    QVERIFY(errors.contains(u"connection refused"_s));
    QVERIFY(errors.contains(QString())); // the one that reached the sink
    QCOMPARE(m_sink->count(), 1);
}

void tst_HttpClient::destroyingTheClientDropsCallbacks()
{
    m_sink->setResponder([](const WebhookSink::Received &, int) {
        WebhookSink::Answer answer;
        answer.delayMs = 100;
        return answer;
    });
    auto client = std::make_unique<HttpClient>();
    int calls = 0;
    for (int i = 0; i < 20; ++i) {
        client->post(QUrl(m_sink->url()), {}, "{}", 2s,
                     [&calls](const HttpClientResponse &) { ++calls; });
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_sink->count() > 0, waitMs);
    // An error found in post() waits for a queued call: destroyed before it runs.
    client->post(QUrl(), {}, "{}", 2s, [&calls](const HttpClientResponse &) { ++calls; });
    client.reset();
    QTest::qWait(300); // past the answers
    QCOMPARE(calls, 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_sink->openConnections(), 0, waitMs);
}

void tst_HttpClient::destroyingTheClientFromACallback()
{
    auto client = std::make_unique<HttpClient>();
    int calls = 0;
    const auto destroyOnFirst = [&](const HttpClientResponse &) {
        ++calls;
        client.reset();
    };
    // Answers arriving together, and errors delivered together by one queued call.
    for (int i = 0; i < 10; ++i)
        client->post(QUrl(m_sink->url()), {}, "{}", 2s, destroyOnFirst);
    QTRY_COMPARE_WITH_TIMEOUT(calls, 1, waitMs);
    QVERIFY(!client);
    QTest::qWait(100);
    QCOMPARE(calls, 1);

    calls = 0;
    client = std::make_unique<HttpClient>();
    for (int i = 0; i < 3; ++i)
        client->post(QUrl(u"ftp://127.0.0.1/x"_s), {}, "{}", 2s, destroyOnFirst);
    QTRY_COMPARE_WITH_TIMEOUT(calls, 1, waitMs);
    QTest::qWait(50);
    QCOMPARE(calls, 1);

    // From the deadline timer's own timeout.
    m_sink->setResponder([](const WebhookSink::Received &, int) {
        WebhookSink::Answer answer;
        answer.neverAnswer = true;
        return answer;
    });
    calls = 0;
    client = std::make_unique<HttpClient>();
    for (int i = 0; i < 3; ++i)
        client->post(QUrl(m_sink->url()), {}, "{}", 50ms, destroyOnFirst);
    QTRY_COMPARE_WITH_TIMEOUT(calls, 1, waitMs);
    QTest::qWait(100);
    QCOMPARE(calls, 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_sink->openConnections(), 0, waitMs);
}

void tst_HttpClient::idleConnectionsAreClosed()
{
    HttpClientOptions options;
    options.idleTimeout = 200ms;
    HttpClient client(options);
    QElapsedTimer clock;
    const auto outcome = post(client, QUrl(m_sink->url()));
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    clock.start();
    QCOMPARE(client.openConnections(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(client.openConnections(), 0, waitMs);
    QVERIFY2(clock.elapsed() >= 150, qPrintable(QString::number(clock.elapsed())));
    QTRY_COMPARE_WITH_TIMEOUT(m_sink->openConnections(), 0, waitMs);

    const auto again = post(client, QUrl(m_sink->url()));
    QTRY_COMPARE_WITH_TIMEOUT(again->calls, 1, waitMs);
    QVERIFY(again->response.ok());
}

void tst_HttpClient::httpsWithUntrustedCertificateFails()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    TlsServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    HttpClient client;
    const auto outcome = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QVERIFY2(outcome->response.error.startsWith(u"TLS: "_s), qPrintable(outcome->response.error));
    QVERIFY2(outcome->response.error.contains(u"self"_s, Qt::CaseInsensitive),
             qPrintable(outcome->response.error));
    QCOMPARE(server.requests, 0);
}

void tst_HttpClient::httpsWithTrustedCertificate()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    const QSslConfiguration original = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = original;
    trusting.addCaCertificate(QSslCertificate(QByteArray(testCertificate)));
    QSslConfiguration::setDefaultConfiguration(trusting);
    const auto restore =
        qScopeGuard([&original] { QSslConfiguration::setDefaultConfiguration(original); });

    TlsServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    HttpClient client;
    const auto first = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(first->calls, 1, waitMs);
    QVERIFY2(first->response.ok(), qPrintable(first->response.error));
    QCOMPARE(first->response.bodyPrefix, QByteArray("ok"));
    const auto second = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(second->calls, 1, waitMs);
    QVERIFY2(second->response.ok(), qPrintable(second->response.error));
    QCOMPARE(server.requests, 2);
    QCOMPARE(client.openConnections(), 1);
}

// The fixture itself: the client never sends chunked bodies, other senders in the suites may.
void tst_HttpClient::sinkDecodesChunkedBodiesAndCanRecordLess()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_sink->port());
    QVERIFY(socket.waitForConnected(waitMs));
    const auto exchange = [&socket](const QByteArray &request) {
        socket.write(request);
        QByteArray answer;
        while (!answer.endsWith("{}") && socket.waitForReadyRead(waitMs))
            answer += socket.readAll();
        return answer;
    };

    QVERIFY(exchange("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     "X-Event-Id: c-1\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n"
                     "0\r\nX-Trailer: t\r\n\r\n")
                .startsWith("HTTP/1.1 200 OK\r\n"));
    const WebhookSink::Received chunked = m_sink->received(u"/chunked"_s).value(0);
    QCOMPARE(chunked.body, QByteArray("hello, world"));
    QCOMPARE(chunked.header("transfer-encoding"), QByteArray("chunked"));

    m_sink->setRecordBodies(false);
    QVERIFY(exchange("POST /lean HTTP/1.1\r\nContent-Length: 3\r\nX-Event-Id: l-1\r\n\r\nabc")
                .startsWith("HTTP/1.1 200 OK\r\n"));
    const WebhookSink::Received lean = m_sink->received(u"/lean"_s).value(0);
    QCOMPARE(lean.body, QByteArray());
    QCOMPARE(lean.headers.size(), 1);
    QCOMPARE(lean.header("X-Event-Id"), QByteArray("l-1"));
    QVERIFY(lean.arrivedNs > chunked.arrivedNs);
    QCOMPARE(m_sink->count(u"/lean"_s), 1);
    QCOMPARE(m_sink->count(), 2);
    QCOMPARE(m_sink->maxConcurrentConnections(), 1);
}

void tst_HttpClient::redirectIsNotFollowedAndNamesItsTarget_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("statusText");

    QTest::newRow("302, credentials in Location hidden")
        << QByteArray("HTTP/1.1 302 Found\r\nLocation: https://user:secret@new.example/hook\r\n"
                      "Content-Length: 0\r\n\r\n")
        << 302 << u"HTTP 302 (redirect to https://new.example/hook, not followed)"_s;
    QTest::newRow("308 to a path of the same server")
        << QByteArray("HTTP/1.1 308 Permanent Redirect\r\nLocation: /v2/hook\r\n"
                      "Content-Length: 5\r\n\r\nmoved")
        << 308 << u"HTTP 308 (redirect to /v2/hook, not followed)"_s;
    QTest::newRow("control bytes in Location")
        << QByteArray("HTTP/1.1 307 Temporary Redirect\r\nLocation: /a\x01\x7f b\r\n"
                      "Content-Length: 0\r\n\r\n")
        << 307 << u"HTTP 307 (redirect to /a???b, not followed)"_s;
    QTest::newRow("301 without Location")
        << QByteArray("HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n") << 301
        << u"HTTP 301"_s;
    // A password must not reach a log or a dead letter, whatever else the Location holds.
    const auto redirectTo = [](const QByteArray &location) {
        return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
    };
    QTest::newRow("space in the password")
        << redirectTo("https://user:se cret@new.example/hook") << 302
        << u"HTTP 302 (redirect to https://new.example/hook, not followed)"_s;
    QTest::newRow("UTF-8 in the password")
        << redirectTo("https://user:s\xc3\xa9"
                      "cret@new.example/hook")
        << 302 << u"HTTP 302 (redirect to https://new.example/hook, not followed)"_s;
    QTest::newRow("password longer than what is shown")
        << redirectTo("https://user:" + QByteArray(195, 'T') + "@new.example/hook") << 302
        << u"HTTP 302 (redirect to https://new.example/hook, not followed)"_s;
    QTest::newRow("port out of range")
        << redirectTo("https://user:secret@new.example:99999/hook") << 302
        << u"HTTP 302 (redirect to https://new.example:99999/hook, not followed)"_s;
    QTest::newRow("without a scheme")
        << redirectTo("//user:secret@new.example/hook") << 302
        << u"HTTP 302 (redirect to //new.example/hook, not followed)"_s;
    QTest::newRow("escapes stay escaped")
        << redirectTo("https://u:p@new.example/%E2%80%AE%C2%85") << 302
        << u"HTTP 302 (redirect to https://new.example/%E2%80%AE%C2%85, not followed)"_s;
    QTest::newRow("an @ in the path is no user info")
        << redirectTo("/v2/a@b?x=@y") << 302
        << u"HTTP 302 (redirect to /v2/a@b?x=@y, not followed)"_s;
    QTest::newRow("304 is no redirect")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nLocation: /x\r\n\r\n") << 304 << u"HTTP 304"_s;
    QTest::newRow("201 with Location")
        << QByteArray("HTTP/1.1 201 Created\r\nLocation: /events/1\r\nContent-Length: 0\r\n\r\n")
        << 201 << u"HTTP 201"_s;
}

// A redirect is an answer, not success: the developer gets its status and where it points (the
// URL to configure instead), and nothing is sent there.
void tst_HttpClient::redirectIsNotFollowedAndNamesItsTarget()
{
    QFETCH(QByteArray, answer);
    QFETCH(int, status);
    QFETCH(QString, statusText);

    QList<QByteArray> requestLines;
    FakeServer server([&](const Exchange &exchange) {
        requestLines.append(exchange.request.first(exchange.request.indexOf("\r\n")));
        exchange.socket->write(exchange.request.startsWith("POST /hook ") ? answer : okResponse());
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, QString());
    QCOMPARE(outcome->response.status, status);
    QCOMPARE(outcome->response.ok(), status < 300);
    QCOMPARE(outcome->response.statusText(), statusText);

    // A request sent after it reaches the server after anything the client might have sent on
    // its own: the server saw only the two requests we made.
    const auto barrier = post(client, server.url(u"/barrier"_s));
    QTRY_COMPARE_WITH_TIMEOUT(barrier->calls, 1, waitMs);
    QCOMPARE(requestLines, QList<QByteArray>({"POST /hook HTTP/1.1", "POST /barrier HTTP/1.1"}));
    QCOMPARE(outcome->calls, 1);
}

void tst_HttpClient::bigBodyIsNotReadToItsEnd_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<bool>("chunked");

    QTest::newRow("50 MB with Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\n\r\n") << false;
    QTest::newRow("chunked, never ending")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") << true;
    QTest::newRow("no length, never ending")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n") << false;
}

// An endpoint answering 200 with a body of 50 MB (a file, a page, an event stream): the status
// is known after a few bytes, and reading on would hold memory and the connection, and at the
// pace of a real network miss the deadline of a request the endpoint accepted.
void tst_HttpClient::bigBodyIsNotReadToItsEnd()
{
    QFETCH(QByteArray, head);
    QFETCH(bool, chunked);

    constexpr qint64 total = 50 * 1024 * 1024;
    const QByteArray block(64 * 1024, 'b');
    auto sent = std::make_shared<qint64>(0);
    auto serverSawClose = std::make_shared<bool>(false);
    FakeServer server([&, sent, serverSawClose](const Exchange &exchange) {
        QTcpSocket *socket = exchange.socket;
        if (exchange.connection > 1) {
            socket->write(okResponse("second"));
            return;
        }
        socket->write(head);
        // 64 KiB every 5 ms, about 13 MB/s: the whole body would take 4 s.
        auto *pace = new QTimer(socket);
        connect(socket, &QAbstractSocket::disconnected, pace, [pace, serverSawClose] {
            *serverSawClose = true;
            pace->stop();
        });
        connect(pace, &QTimer::timeout, socket, [=] {
            if (*sent >= total || socket->state() != QAbstractSocket::ConnectedState) {
                pace->stop();
                return;
            }
            socket->write(chunked ? "10000\r\n" + block + "\r\n" : block);
            *sent += block.size();
        });
        pace->start(5);
    });
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url(), "{}", {}, 2s);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, QString());
    QCOMPARE(outcome->response.status, 200);
    QVERIFY(outcome->response.ok());
    QCOMPARE(outcome->response.bodyPrefix, block.first(512));
    QVERIFY2(outcome->elapsedMs < 1000, qPrintable(QString::number(outcome->elapsedMs)));
    // The connection is out of step (the rest of the body is on its way): closed, and the server
    // stops sending.
    QCOMPARE(client.openConnections(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(*serverSawClose, waitMs);
    QVERIFY2(*sent < 4 * 1024 * 1024, qPrintable(QString::number(*sent)));

    const auto second = post(client, server.url());
    QTRY_COMPARE_WITH_TIMEOUT(second->calls, 1, waitMs);
    QVERIFY2(second->response.ok(), qPrintable(second->response.error));
    QCOMPARE(second->response.bodyPrefix, QByteArray("second"));
    QCOMPARE(server.connections, 2);
}

void tst_HttpClient::timeoutNamesWhereTheExchangeStood_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("stage");

    QTest::newRow("no answer") << QByteArray() << u"waiting for a response"_s;
    QTest::newRow("interim answer only")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\n") << u"waiting for a response"_s;
    QTest::newRow("headers cut") << QByteArray("HTTP/1.1 200 OK\r\nContent-Le")
                                 << u"reading the response headers"_s;
    QTest::newRow("body stalled") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
                                  << u"reading the body of an HTTP 200 response"_s;
    QTest::newRow("chunked body without its last chunk")
        << QByteArray(
               "HTTP/1.1 503 Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nbusy!\r\n")
        << u"reading the body of an HTTP 503 response"_s;
    // Python's http.server with protocol_version HTTP/1.1 and no Content-Length does this.
    QTest::newRow("no length, connection kept open")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\naccepted")
        << u"reading the body of an HTTP 200 response (it has no Content-Length: it ends only "
           "when the server closes the connection)"_s;
}

// A deadline says where the exchange stood: an endpoint that never answers and one whose answer
// never ends are different bugs. Neither is a success: a server failing after its headers went
// out has no other way to say so.
void tst_HttpClient::timeoutNamesWhereTheExchangeStood()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, stage);

    FakeServer server([answer](const Exchange &exchange) { exchange.socket->write(answer); });
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url(), "{}", {}, 300ms);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, u"timed out after 300 ms "_s + stage);
    QCOMPARE(outcome->response.status, 0);
    QVERIFY(!outcome->response.ok());
    QVERIFY2(outcome->elapsedMs >= 300 && outcome->elapsedMs <= 1300,
             qPrintable(QString::number(outcome->elapsedMs)));
    QCOMPARE(client.openConnections(), 0);
}

// An https URL pointing at a server that does not speak TLS and waits for a request.
void tst_HttpClient::timeoutInTheTlsHandshake()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    FakeServer server([](const Exchange &) {});
    QVERIFY(server.listen());
    HttpClient client;
    const auto outcome = post(client, server.url(u"/hook"_s, u"https"_s), "{}", {}, 300ms);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, u"timed out after 300 ms in the TLS handshake"_s);
    QCOMPARE(server.requests, 0);
}

// A listener whose accept queue is full drops new SYNs (Linux), like a firewall that drops
// packets: the connection never completes.
void tst_HttpClient::timeoutWhileConnecting()
{
    QTcpServer full;
    full.setListenBacklogSize(0);
    QVERIFY(full.listen(QHostAddress::LocalHost, 0));
    full.pauseAccepting();
    std::vector<std::unique_ptr<QTcpSocket>> fillers;
    bool dropping = false;
    for (int i = 0; i < 8 && !dropping; ++i) {
        auto filler = std::make_unique<QTcpSocket>();
        filler->connectToHost(QHostAddress::LocalHost, full.serverPort());
        dropping = !filler->waitForConnected(200);
        fillers.push_back(std::move(filler));
    }
    if (!dropping)
        QSKIP("this kernel completes connections beyond the listen backlog");

    HttpClient client;
    const auto outcome =
        post(client, QUrl(u"http://127.0.0.1:%1/hook"_s.arg(full.serverPort())), "{}", {}, 300ms);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, u"timed out after 300 ms connecting"_s);
    QCOMPARE(client.openConnections(), 0);
}

void tst_HttpClient::invalidUrlsAreNamed_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QString() << u"invalid URL: empty"_s;
    QTest::newRow("port out of range")
        << u"http://127.0.0.1:70000/hook"_s
        << u"invalid URL: Invalid port or port number out of range"_s;
    QTest::newRow("port out of range, with a password")
        << u"https://hook-user:s3cret@127.0.0.1:99999/hook"_s
        << u"invalid URL: Invalid port or port number out of range"_s;
    QTest::newRow("port 0") << u"http://hook-user:s3cret@127.0.0.1:0/hook"_s
                            << u"invalid URL \"http://127.0.0.1:0/hook\": port 0"_s;
    QTest::newRow("no host") << u"http://:8080/hook"_s
                             << u"invalid URL \"http://:8080/hook\": no host"_s;
    QTest::newRow("unclosed IPv6 literal")
        << u"http://[::1/hook"_s << u"invalid URL: Expected ']' to match '[' in hostname"_s;
}

// Such a URL cannot pass the configuration, but the error must still say what is wrong, and
// never show the password.
void tst_HttpClient::invalidUrlsAreNamed()
{
    QFETCH(QString, url);
    QFETCH(QString, error);
    HttpClient client;
    const auto outcome = post(client, QUrl(url));
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QCOMPARE(outcome->response.error, error);
    QCOMPARE(outcome->response.status, 0);
    QCOMPARE(client.openConnections(), 0);
}

void tst_HttpClient::httpsCertificateProblemsAreNamed_data()
{
    QTest::addColumn<QByteArray>("certificate");
    QTest::addColumn<QByteArray>("trusted");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("problem");

    QTest::newRow("self-signed") << QByteArray(testCertificate) << QByteArray() << u"127.0.0.1"_s
                                 << u"The certificate is self-signed, and untrusted"_s;
    QTest::newRow("expired") << QByteArray(expiredCertificate) << QByteArray(expiredCertificate)
                             << u"127.0.0.1"_s << u"The certificate has expired"_s;
    QTest::newRow("wrong host") << QByteArray(testCertificate) << QByteArray(testCertificate)
                                << u"localhost"_s
                                << u"The host name did not match any of the valid hosts for "
                                   "this certificate"_s;
}

// A certificate problem fails the request before anything is sent, naming the problem; it is
// never accepted silently.
void tst_HttpClient::httpsCertificateProblemsAreNamed()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    QFETCH(QByteArray, certificate);
    QFETCH(QByteArray, trusted);
    QFETCH(QString, host);
    QFETCH(QString, problem);

    const TrustCertificate trust(trusted);
    TlsServer server(certificate);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    HttpClient client;
    const auto outcome = post(client, server.url(host));
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QVERIFY2(outcome->response.error.startsWith(u"TLS: "_s), qPrintable(outcome->response.error));
    QVERIFY2(outcome->response.error.contains(problem), qPrintable(outcome->response.error));
    QCOMPARE(outcome->response.status, 0);
    QCOMPARE(server.requests, 0);
}

void tst_HttpClient::ipv6LiteralHost()
{
    QList<QByteArray> requests;
    FakeServer recording([&requests](const Exchange &exchange) {
        requests.append(exchange.request);
        exchange.socket->write(okResponse());
    });
    if (!recording.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback");
    QUrl url = recording.url();
    url.setUserName(u"hook-user"_s);
    url.setPassword(u"pw"_s);
    QCOMPARE(url.host(), u"::1"_s);
    HttpClient client;
    const auto outcome = post(client, url);
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QVERIFY2(outcome->response.ok(), qPrintable(outcome->response.error));
    QCOMPARE(requests.size(), 1);
    QVERIFY2(requests.constFirst().contains("\r\nHost: [::1]:" + QByteArray::number(url.port())
                                            + "\r\n"),
             requests.constFirst().constData());
    QVERIFY(requests.constFirst().contains("\r\nAuthorization: Basic "
                                           + QByteArray("hook-user:pw").toBase64() + "\r\n"));
    QCOMPARE(webhookDisplayUrl(url.toString()), u"http://[::1]:%1/hook"_s.arg(url.port()));
}

void tst_HttpClient::serverClosingEachConnectionAfterItsAnswerLosesNothing_data()
{
    QTest::addColumn<bool>("reset");
    QTest::newRow("FIN after the answer") << false;
    QTest::newRow("RST after the answer") << true;
}

// An endpoint that closes every connection right after its answer, without saying
// "Connection: close": the client keeps the connection and, posting the next request from the
// callback, meets it closed. No request is lost, none is reported twice, and a success is only
// ever one the server answered.
void tst_HttpClient::serverClosingEachConnectionAfterItsAnswerLosesNothing()
{
    QFETCH(bool, reset);

    QHash<QByteArray, int> answered; // body → 2xx answers the server wrote
    FakeServer server([&answered, reset](const Exchange &exchange) {
        QTcpSocket *socket = exchange.socket;
        const QByteArray body = exchange.request.sliced(exchange.request.indexOf("\r\n\r\n") + 4);
        ++answered[body];
        socket->write(okResponse(body));
        socket->flush();
        if (reset)
            socket->abort();
        else
            socket->disconnectFromHost();
    });
    QVERIFY(server.listen());
    HttpClient client;
    constexpr int total = 40;
    Countdown countdown(total);
    QSignalSpy finished(&countdown, &Countdown::finished);
    QList<OutcomePtr> outcomes;
    std::function<void()> postNext = [&] {
        const QByteArray body = "event " + QByteArray::number(outcomes.size());
        auto outcome = std::make_shared<Outcome>();
        outcomes.append(outcome);
        client.post(server.url(), {}, body, 2s, [&, outcome](const HttpClientResponse &response) {
            ++outcome->calls;
            outcome->response = response;
            countdown.tick();
            if (outcomes.size() < total)
                postNext();
        });
    };
    postNext();
    QVERIFY(finished.wait(waitMs * 2));
    int delivered = 0;
    for (int i = 0; i < total; ++i) {
        const OutcomePtr &outcome = outcomes.at(i);
        const QByteArray body = "event " + QByteArray::number(i);
        QCOMPARE(outcome->calls, 1);
        if (outcome->response.ok()) {
            ++delivered;
            QCOMPARE(outcome->response.bodyPrefix, body); // its own answer, no other
            QVERIFY(answered.value(body) >= 1);
        } else {
            QVERIFY(!outcome->response.error.isEmpty());
        }
    }
    if (!reset) {
        // A FIN leaves the answer readable: every request succeeds, each reaching the server once.
        QCOMPARE(delivered, total);
        for (int i = 0; i < total; ++i)
            QCOMPARE(answered.value("event " + QByteArray::number(i)), 1);
    }
}

QTEST_GUILESS_MAIN(tst_HttpClient)
#include "tst_httpclient.moc"
