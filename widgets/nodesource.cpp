#include "nodesource.h"

#include <QJsonDocument>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

void NodeSource::httpRequest(const QByteArray &token, const QByteArray &method, const QString &path,
                             QObject *context, Reply reply)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QUrl url = baseUrl();
    const qsizetype query = path.indexOf(u'?');
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    request.setTransferTimeout(15000);
    QNetworkReply *networkReply = m_network->sendCustomRequest(request, method, QByteArray());
    QPointer<QObject> guard(context);
    connect(networkReply, &QNetworkReply::finished, this, [networkReply, guard, reply] {
        networkReply->deleteLater();
        if (!guard)
            return;
        const int status =
            networkReply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0)
            return reply(0, {{u"error"_s, networkReply->errorString()}});
        reply(status, QJsonDocument::fromJson(networkReply->readAll()).object());
    });
}

void NodeSource::setStatus(const QJsonObject &status, const QDateTime &time)
{
    m_status = status;
    const QJsonObject node = status.value(u"node"_s).toObject();
    const QString run = node.value(u"started_at"_s).toString() + u'/'
        + QString::number(node.value(u"pid"_s).toInteger());
    if (run != m_run) {
        m_run = run;
        m_healthyThisRun.clear();
    }
    for (const QString &engine : status.value(u"engines"_s).toObject().keys()
             + status.value(u"health"_s).toObject().keys()) {
        if (!m_healthyThisRun.contains(engine) && engineStatusText(status, engine) == u"healthy")
            m_healthyThisRun.append(engine);
    }
    m_statusTime = time.isValid() ? time.toUTC() : QDateTime::currentDateTimeUtc();
    setReachability(Reachability::Live);
    Q_EMIT statusChanged();
}

void NodeSource::setReachability(Reachability reachability, const QString &reason,
                                 const QDateTime &since)
{
    const bool lost =
        reachability == Reachability::Unreachable || reachability == Reachability::Refused;
    const QString shownReason = lost ? reason : QString();
    if (reachability == m_reachability && shownReason == m_unreachableReason) {
        // Asked again, the same answer: nothing changed but that it was asked.
        if (lost) {
            m_lastAskedAgain = QDateTime::currentDateTimeUtc();
            Q_EMIT reachabilityChanged();
        }
        return;
    }
    // Since when this state holds: a node that comes back refusing the token has refused it
    // since then, whenever it stopped answering before.
    if (reachability != m_reachability) {
        if (!lost)
            m_unreachableSince = {};
        else
            m_unreachableSince = since.isValid() ? since.toUTC() : QDateTime::currentDateTimeUtc();
        m_lastAskedAgain = {};
    } else {
        m_lastAskedAgain = QDateTime::currentDateTimeUtc();
    }
    m_reachability = reachability;
    m_unreachableReason = shownReason;
    Q_EMIT reachabilityChanged();
}

QString engineStatusText(const QJsonObject &status, QStringView engine)
{
    const QJsonObject health = status.value(u"health"_s).toObject().value(engine).toObject();
    if (!health.isEmpty())
        return health.value(u"status"_s).toString();
    return status.value(u"engines"_s)
        .toObject()
        .value(engine)
        .toObject()
        .value(u"status"_s)
        .toString();
}

QDateTime statusTime(const QJsonValue &value)
{
    return value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs)
                            : QDateTime();
}

QString statusTimeText(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    // The time of day as the charts' axes show it; the date in the operator's own format, for
    // "since 23:50:07" read the morning after.
    const QString clock = local.toString(u"HH:mm:ss"_s);
    if (local.date() == QDate::currentDate())
        return clock;
    return QLocale().toString(local.date(), QLocale::ShortFormat) + u' ' + clock;
}

} // namespace Switchboard
