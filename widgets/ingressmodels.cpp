#include "ingressmodels.h"

#include <QBrush>
#include <QColor>
#include <QJsonObject>
#include <QLocale>
#include <QMap>
#include <algorithm>
#include <limits>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// Above this, a gap between two statuses (node unreachable, console asleep) is not averaged
// over: the next status starts a new baseline.
constexpr qint64 maxSampleGapMs = 15000;
constexpr qint64 minSampleIntervalMs = 1000;

const QColor failingColour(0xb7, 0x1c, 0x1c);

QVariant number(qint64 value)
{
    return QLocale().toString(value);
}

QVariant timeToolTip(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toUTC().toString(Qt::ISODateWithMs)) : QVariant();
}

QVariant numericAlignment()
{
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
}

} // namespace

// --- IngressEndpointsModel ---

bool IngressEndpointRow::failing() const
{
    return lastFailure.isValid() && (!lastSuccess.isValid() || lastFailure > lastSuccess);
}

void IngressEndpointsModel::update(const QJsonArray &endpoints)
{
    QList<IngressEndpointRow> fresh;
    fresh.reserve(endpoints.size());
    for (const QJsonValue &value : endpoints) {
        const QJsonObject object = value.toObject();
        IngressEndpointRow endpoint;
        endpoint.domain = object.value(u"domain"_s).toString();
        endpoint.url = object.value(u"url"_s).toString();
        endpoint.delivered = object.value(u"delivered"_s).toInteger();
        endpoint.failures = object.value(u"failures"_s).toInteger();
        endpoint.httpErrors = object.value(u"http_errors"_s).toInteger();
        endpoint.timeouts = object.value(u"timeouts"_s).toInteger();
        endpoint.connectionErrors = object.value(u"connection_errors"_s).toInteger();
        endpoint.lastStatus = object.value(u"last_status"_s).toInt();
        endpoint.lastError = object.value(u"last_error"_s).toString();
        endpoint.lastSuccess = statusTime(object.value(u"last_success"_s));
        endpoint.lastFailure = statusTime(object.value(u"last_failure"_s));
        endpoint.circuitOpenSince = statusTime(object.value(u"circuit_open_since"_s));
        fresh.append(std::move(endpoint));
    }
    replaceRows(std::move(fresh), [](const IngressEndpointRow &a, const IngressEndpointRow &b) {
        return a.domain == b.domain && a.url == b.url;
    });
}

QVariant IngressEndpointsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const IngressEndpointRow &endpoint = m_rows[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Domain:
            return endpoint.domain;
        case Url:
            return endpoint.url;
        case Delivered:
            return number(endpoint.delivered);
        case Failures:
            return number(endpoint.failures);
        case HttpErrors:
            return number(endpoint.httpErrors);
        case Timeouts:
            return number(endpoint.timeouts);
        case ConnectionErrors:
            return number(endpoint.connectionErrors);
        case LastStatus:
            if (endpoint.circuitOpenSince.isValid())
                return tr("circuit open");
            return endpoint.lastStatus == 0
                ? (endpoint.lastError.isEmpty() ? QString() : tr("no response"))
                : QString::number(endpoint.lastStatus);
        case LastSuccess:
            return statusTimeText(endpoint.lastSuccess);
        case LastFailure:
            return statusTimeText(endpoint.lastFailure);
        case LastError:
            return endpoint.lastError;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case LastSuccess:
            return timeToolTip(endpoint.lastSuccess);
        case LastFailure:
            return timeToolTip(endpoint.lastFailure);
        case LastError:
            return endpoint.lastError.isEmpty() ? QVariant() : QVariant(endpoint.lastError);
        case LastStatus:
            if (endpoint.circuitOpenSince.isValid())
                return tr("Since %1 the endpoint has failed every call: it gets one call at a "
                          "time, and its other attempts fail at once, until a call succeeds")
                    .arg(statusTimeText(endpoint.circuitOpenSince));
            return endpoint.failing() ? tr("The last call to this endpoint failed") : QVariant();
        }
    } else if (role == Qt::ForegroundRole) {
        const bool alarming = (index.column() == Failures && endpoint.failures > 0)
            || (index.column() == LastStatus
                && (endpoint.failing() || endpoint.circuitOpenSince.isValid()));
        return alarming ? QBrush(failingColour) : QVariant();
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() >= Delivered && index.column() <= LastStatus)
            return numericAlignment();
    } else if (role == SortRole) {
        switch (index.column()) {
        case Domain:
            return endpoint.domain;
        case Url:
            return endpoint.url;
        case Delivered:
            return endpoint.delivered;
        case Failures:
            return endpoint.failures;
        case HttpErrors:
            return endpoint.httpErrors;
        case Timeouts:
            return endpoint.timeouts;
        case ConnectionErrors:
            return endpoint.connectionErrors;
        case LastStatus:
            // "no response" below every status; never called (nothing shown) unknown.
            if (endpoint.lastStatus == 0)
                return endpoint.lastError.isEmpty() ? QVariant() : QVariant(0);
            return endpoint.lastStatus;
        case LastSuccess:
            return endpoint.lastSuccess.isValid() ? QVariant(endpoint.lastSuccess) : QVariant();
        case LastFailure:
            return endpoint.lastFailure.isValid() ? QVariant(endpoint.lastFailure) : QVariant();
        case LastError:
            return endpoint.lastError;
        }
    }
    return {};
}

QVariant IngressEndpointsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    // A figure's first click puts the highest (the latest) first: the endpoint failing most.
    if (role == Qt::InitialSortOrderRole) {
        const bool text = section == Domain || section == Url || section == LastError;
        return text ? QVariant() : QVariant(int(Qt::DescendingOrder));
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Domain:
            return tr("Domain");
        case Url:
            return tr("Endpoint");
        case Delivered:
            return tr("Delivered");
        case Failures:
            return tr("Failures");
        case HttpErrors:
            return tr("HTTP errors");
        case Timeouts:
            return tr("Timeouts");
        case ConnectionErrors:
            return tr("Connection errors");
        case LastStatus:
            return tr("Last status");
        case LastSuccess:
            return tr("Last success");
        case LastFailure:
            return tr("Last failure");
        case LastError:
            return tr("Last error");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Delivered:
            return tr("Forwards this endpoint answered with 2xx since the node started");
        case Failures:
            return tr("Forwards that failed: HTTP errors + timeouts + connection errors");
        case LastStatus:
            return tr("HTTP status of the last call");
        }
    }
    return {};
}

// --- DeadLettersModel ---

QList<DeadLetterRow> DeadLettersModel::parse(const QJsonArray &letters)
{
    QList<DeadLetterRow> parsed;
    parsed.reserve(letters.size());
    for (const QJsonValue &value : letters) {
        const QJsonObject object = value.toObject();
        DeadLetterRow letter;
        // Ids are strings on the wire: stream sequences outgrow a double's exact integers.
        letter.id = object.value(u"id"_s).toString().toULongLong();
        if (letter.id == 0)
            continue;
        letter.eventId = object.value(u"event_id"_s).toString();
        letter.domain = object.value(u"domain"_s).toString();
        letter.reason = object.value(u"reason"_s).toString();
        letter.deliveries = object.value(u"deliveries"_s).toInt();
        letter.failedEndpoints = object.value(u"failed_endpoints"_s).toInt();
        letter.lastError = object.value(u"last_error"_s).toString();
        letter.receivedAt = statusTime(object.value(u"received_at"_s));
        letter.failedAt = statusTime(object.value(u"failed_at"_s));
        parsed.append(std::move(letter));
    }
    // The merges below rely on newest first, which the API promises; they must not misbehave
    // if it ever does not.
    std::stable_sort(parsed.begin(), parsed.end(),
                     [](const DeadLetterRow &a, const DeadLetterRow &b) { return a.id > b.id; });
    return parsed;
}

bool DeadLettersModel::setLetters(const QJsonArray &letters, bool reachesOldest)
{
    const QList<DeadLetterRow> fresh = parse(letters);
    // Both lists are sorted by descending id: one walk finds what stays, what comes and what
    // goes.
    int row = 0;
    for (const DeadLetterRow &letter : fresh) {
        // Rows above `letter` that the fresh list skipped are gone.
        int gone = row;
        while (gone < m_rows.size() && m_rows[gone].id > letter.id)
            ++gone;
        if (gone > row) {
            beginRemoveRows({}, row, gone - 1);
            m_rows.remove(row, gone - row);
            endRemoveRows();
        }
        if (row < m_rows.size() && m_rows[row].id == letter.id) {
            if (!(m_rows[row] == letter)) {
                m_rows[row] = letter;
                Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
            }
        } else {
            beginInsertRows({}, row, row);
            m_rows.insert(row, letter);
            endInsertRows();
        }
        ++row;
    }
    // What is left is older than the page's oldest: pages the operator loaded with Load older,
    // which a page that does not reach the end of the list says nothing of.
    if (row == m_rows.size())
        return false;
    if (!reachesOldest && !fresh.isEmpty())
        return true;
    beginRemoveRows({}, row, int(m_rows.size()) - 1);
    m_rows.remove(row, m_rows.size() - row);
    endRemoveRows();
    return false;
}

void DeadLettersModel::appendOlder(const QJsonArray &letters)
{
    QList<DeadLetterRow> older = parse(letters);
    // A refresh may have listed some of these since the page was asked for.
    const quint64 oldest =
        m_rows.isEmpty() ? std::numeric_limits<quint64>::max() : m_rows.constLast().id;
    older.removeIf([oldest](const DeadLetterRow &letter) { return letter.id >= oldest; });
    if (older.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(older.size()) - 1);
    m_rows.append(older);
    endInsertRows();
}

void DeadLettersModel::removeLetter(quint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

quint64 DeadLettersModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row].id : 0;
}

int DeadLettersModel::rowOf(quint64 id) const
{
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (m_rows[row].id == id)
            return int(row);
    }
    return -1;
}

QString DeadLettersModel::reasonText(const QString &reason) const
{
    if (reason == u"no_route"_s)
        return tr("no route");
    if (reason == u"max_deliveries"_s)
        return tr("deliveries used up");
    return reason;
}

QVariant DeadLettersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeadLetterRow &letter = m_rows[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Id:
            return QString::number(letter.id);
        case FailedAt:
            return statusTimeText(letter.failedAt);
        case Domain:
            return letter.domain;
        case Reason:
            return reasonText(letter.reason);
        case Deliveries:
            return letter.deliveries;
        case FailedEndpoints:
            return letter.failedEndpoints;
        case EventId:
            return letter.eventId;
        case LastError:
            return letter.lastError;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case FailedAt:
            return tr("Received %1, failed %2")
                .arg(timeToolTip(letter.receivedAt).toString(),
                     timeToolTip(letter.failedAt).toString());
        case Reason:
            return letter.reason == u"no_route"_s
                ? tr("No endpoint is configured for this domain")
                : tr("Every delivery allowed was made and some endpoint still failed");
        case EventId:
        case LastError:
            return data(index, Qt::DisplayRole);
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Id || index.column() == Deliveries
            || index.column() == FailedEndpoints)
            return numericAlignment();
    }
    return {};
}

QVariant DeadLettersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return tr("Id");
    case FailedAt:
        return tr("Failed");
    case Domain:
        return tr("Domain");
    case Reason:
        return tr("Reason");
    case Deliveries:
        return tr("Deliveries");
    case FailedEndpoints:
        return tr("Failed endpoints");
    case EventId:
        return tr("Event id");
    case LastError:
        return tr("Last error");
    }
    return {};
}

// --- DeadLetterEndpointsModel ---

void DeadLetterEndpointsModel::setOutcomes(const QJsonArray &endpoints)
{
    QList<DeadLetterOutcomeRow> outcomes;
    for (const QJsonValue &value : endpoints) {
        const QJsonObject object = value.toObject();
        outcomes.append({object.value(u"url"_s).toString(), object.value(u"delivered"_s).toBool(),
                         object.value(u"attempts"_s).toInt(),
                         object.value(u"last_status"_s).toInt(),
                         object.value(u"last_error"_s).toString()});
    }
    resetRows(std::move(outcomes));
}

QVariant DeadLetterEndpointsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeadLetterOutcomeRow &outcome = m_rows[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Url:
            return outcome.url;
        case Delivered:
            return outcome.delivered ? tr("yes") : tr("no");
        case Attempts:
            return outcome.attempts;
        case LastStatus:
            // The record of an endpoint that had the event keeps no status.
            if (outcome.lastStatus == 0)
                return outcome.delivered ? QString() : tr("no response");
            return QString::number(outcome.lastStatus);
        case LastError:
            return outcome.lastError;
        }
    } else if (role == Qt::ToolTipRole && index.column() == LastError) {
        return outcome.lastError.isEmpty() ? QVariant() : QVariant(outcome.lastError);
    } else if (role == Qt::ForegroundRole && index.column() == Delivered && !outcome.delivered) {
        return QBrush(failingColour);
    } else if (role == Qt::TextAlignmentRole
               && (index.column() == Attempts || index.column() == LastStatus)) {
        return numericAlignment();
    }
    return {};
}

QVariant DeadLetterEndpointsModel::headerData(int section, Qt::Orientation orientation,
                                              int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Url:
        return tr("Endpoint");
    case Delivered:
        return tr("Delivered");
    case Attempts:
        return tr("Attempts");
    case LastStatus:
        return tr("Last status");
    case LastError:
        return tr("Last error");
    }
    return {};
}

// --- ForwardFailureRates ---

std::optional<ForwardFailureRates::Rates> ForwardFailureRates::sample(const QJsonArray &endpoints,
                                                                      const QString &nodeStartedAt,
                                                                      const QDateTime &time)
{
    bool baseline = !m_lastSample.isValid() || nodeStartedAt != m_nodeStartedAt;
    if (!baseline) {
        const qint64 elapsedMs = m_lastSample.msecsTo(time);
        if (elapsedMs >= 0 && elapsedMs < minSampleIntervalMs)
            return std::nullopt;
        // A clock set back is a gap too.
        baseline = elapsedMs < 0 || elapsedMs > maxSampleGapMs;
    }

    QHash<QString, double> failures;
    QMap<QString, double> growth; // sorted by domain: series are created in a stable order
    for (const QJsonValue &value : endpoints) {
        const QJsonObject endpoint = value.toObject();
        const QString domain = endpoint.value(u"domain"_s).toString();
        const QString key = domain + u'\n' + endpoint.value(u"url"_s).toString();
        const double current = endpoint.value(u"failures"_s).toDouble();
        failures.insert(key, current);
        double &domainGrowth = growth[domain];
        const auto previous = m_failures.constFind(key);
        // An endpoint seen for the first time only sets its baseline: its failures so far
        // happened at some time before, not in the last second.
        if (previous != m_failures.constEnd())
            domainGrowth += current >= *previous ? current - *previous : current;
    }

    const double seconds = double(m_lastSample.msecsTo(time)) / 1000.0;
    m_failures = std::move(failures);
    m_nodeStartedAt = nodeStartedAt;
    m_lastSample = time;
    if (baseline)
        return std::nullopt;
    Rates rates;
    rates.reserve(growth.size());
    for (auto it = growth.cbegin(); it != growth.cend(); ++it)
        rates.append({it.key(), it.value() / seconds});
    return rates;
}

} // namespace Switchboard
