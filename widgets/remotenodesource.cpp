#include "remotenodesource.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QWebSocket>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// A node sends its status four times a second: three seconds without one is not a hiccup.
constexpr int silenceMs = 3000;
constexpr int retryMs = 2000;

} // namespace

RemoteNodeSource::RemoteNodeSource(const QUrl &baseUrl, const QByteArray &token, QObject *parent)
    : NodeSource(parent)
    , m_baseUrl(baseUrl)
    , m_token(token)
    , m_silence(this)
    , m_retry(this)
{
    m_silence.setSingleShot(true);
    m_silence.setInterval(silenceMs);
    connect(&m_silence, &QTimer::timeout, this,
            [this] { streamLost(tr("no status for %1 s").arg(silenceMs / 1000)); });
    m_retry.setSingleShot(true);
    m_retry.setInterval(retryMs);
    connect(&m_retry, &QTimer::timeout, this, &RemoteNodeSource::connectStream);
}

RemoteNodeSource::~RemoteNodeSource()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QString RemoteNodeSource::displayName() const
{
    const int defaultPort = m_baseUrl.scheme() == u"https" ? 443 : 80;
    return m_baseUrl.host() + u':' + QString::number(m_baseUrl.port(defaultPort));
}

void RemoteNodeSource::start()
{
    connectStream();
}

void RemoteNodeSource::request(const QByteArray &method, const QString &path, QObject *context,
                               Reply reply)
{
    httpRequest(m_token, method, path, context, std::move(reply));
}

void RemoteNodeSource::connectStream()
{
    dropSocket();
    ++m_attempt;
    m_streamOpen = false;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, [this] { m_streamOpen = true; });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &RemoteNodeSource::streamMessage);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        QString reason =
            m_socket->closeReason().isEmpty() ? m_socket->errorString() : m_socket->closeReason();
        if (reason.isEmpty())
            reason = tr("connection closed");
        if (m_streamOpen)
            streamLost(reason);
        else
            streamRefused(reason);
    });
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == u"https" ? u"wss"_s : u"ws"_s);
    url.setPath(u"/api/v1/stream"_s);
    QNetworkRequest request(url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    m_socket->open(request);
    m_silence.start();
}

void RemoteNodeSource::streamMessage(const QString &message)
{
    m_silence.start();
    const QJsonObject status = QJsonDocument::fromJson(message.toUtf8()).object();
    if (!status.isEmpty())
        setStatus(status);
}

// The stream ended before its handshake did: nothing listens, or the node answered the upgrade
// with something else than 101, of which QWebSocket keeps only its own words ("Unhandled http
// status code: 403"). A refused token is what the operator must read then, not that the node
// does not answer: the same token on /api/v1/status says so, in the node's words, and the node
// turns Refused rather than Unreachable. The silence timer still runs should that call hang.
void RemoteNodeSource::streamRefused(const QString &reason)
{
    dropSocket();
    const quint64 attempt = m_attempt;
    httpRequest(m_token, "GET", u"/api/v1/status"_s, this,
                [this, attempt, reason](int status, const QJsonObject &body) {
                    if (attempt != m_attempt)
                        return; // a later attempt is under way
                    if (status != 401 && status != 403)
                        return streamLost(reason);
                    // 401: the console sent no token; 403: not the node's (or the node has
                    // none, so it lets no remote console in).
                    QString detail = body.value(u"detail"_s).toString();
                    if (detail.isEmpty())
                        detail = body.value(u"error"_s).toString();
                    streamLost(detail.isEmpty() ? QString::number(status)
                                                : u"%1: %2"_s.arg(QString::number(status), detail),
                               Reachability::Refused);
                });
}

void RemoteNodeSource::streamLost(const QString &reason, Reachability reachability)
{
    m_silence.stop();
    dropSocket();
    setReachability(reachability, reason);
    m_retry.start();
}

void RemoteNodeSource::dropSocket()
{
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

} // namespace Switchboard
