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
    return m_baseUrl.host() + u':' + QString::number(m_baseUrl.port(80));
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
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &RemoteNodeSource::streamMessage);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        const QString reason =
            m_socket->closeReason().isEmpty() ? m_socket->errorString() : m_socket->closeReason();
        streamLost(reason.isEmpty() ? tr("connection closed") : reason);
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

void RemoteNodeSource::streamLost(const QString &reason)
{
    m_silence.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    setReachability(Reachability::Unreachable, reason);
    m_retry.start();
}

} // namespace Switchboard
