#pragma once

#include "nodesource.h"
#include "rowtablemodel.h"

// The models behind the Ingress panel, fed from a node's status document and its dead-letter
// REST API. They update in place (dataChanged, row inserts and removals) so that views keep
// their selection and scroll position while statuses arrive a few times a second.

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <optional>
#include <utility>

namespace Switchboard {

// One endpoint of one domain: engines.ingress.endpoints[].
struct IngressEndpointRow
{
    QString domain;
    QString url;
    qint64 delivered = 0;
    qint64 failures = 0;
    qint64 httpErrors = 0;
    qint64 timeouts = 0;
    qint64 connectionErrors = 0;
    int lastStatus = 0; // 0: no response
    QString lastError;
    QDateTime lastSuccess;
    QDateTime lastFailure;
    // Since when the endpoint's circuit breaker lets one call through at a time; invalid: closed.
    QDateTime circuitOpenSince;

    bool failing() const;
    bool operator==(const IngressEndpointRow &) const = default;
};

// One dead letter as GET /api/v1/ingress/dead-letters lists it.
struct DeadLetterRow
{
    quint64 id = 0;
    QString eventId;
    QString domain;
    QString reason; // "no_route" | "max_deliveries"
    int deliveries = 0;
    int failedEndpoints = 0;
    QString lastError;
    QDateTime receivedAt;
    QDateTime failedAt;

    bool operator==(const DeadLetterRow &) const = default;
};

// What one endpoint did with one dead letter's event.
struct DeadLetterOutcomeRow
{
    QString url;
    bool delivered = false;
    int attempts = 0;
    int lastStatus = 0;
    QString lastError;
};

// One row per endpoint of every domain.
class IngressEndpointsModel : public RowTableModel<IngressEndpointRow>
{
    Q_OBJECT

public:
    enum Column {
        Domain,
        Url,
        Delivered,
        Failures,
        HttpErrors,
        Timeouts,
        ConnectionErrors,
        LastStatus,
        LastSuccess,
        LastFailure,
        LastError,
        ColumnCount
    };

    explicit IngressEndpointsModel(QObject *parent = nullptr)
        : RowTableModel(ColumnCount, parent)
    {
    }

    // The rows change in place while the endpoints stay the same (they come from the node's
    // configuration); a different set of endpoints (another node, a new configuration) resets.
    void update(const QJsonArray &endpoints);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
};

// The dead letters listed by GET /api/v1/ingress/dead-letters, newest (highest id) first.
class DeadLettersModel : public RowTableModel<DeadLetterRow>
{
    Q_OBJECT

public:
    enum Column {
        Id,
        FailedAt,
        Domain,
        Reason,
        Deliveries,
        FailedEndpoints,
        LastError,
        EventId,
        ColumnCount
    };

    explicit DeadLettersModel(QObject *parent = nullptr)
        : RowTableModel(ColumnCount, parent)
    {
    }

    // Replaces the rows with a fresh first page by merging: rows still listed stay where they
    // are (and stay selected), new ones are inserted, gone ones removed. Rows older than the
    // page (older pages loaded before) stay unless `reachesOldest`: the page is the whole list.
    // True when rows older than the page were kept.
    bool setLetters(const QJsonArray &letters, bool reachesOldest);
    // Appends an older page (ids below the last row's).
    void appendOlder(const QJsonArray &letters);
    void removeLetter(quint64 id);

    quint64 idAt(int row) const;
    int rowOf(quint64 id) const; // -1 when not listed

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    static QList<DeadLetterRow> parse(const QJsonArray &letters);
    QString reasonText(const QString &reason) const;
};

// What happened at each endpoint for one dead letter: the "endpoints" of its detail.
class DeadLetterEndpointsModel : public RowTableModel<DeadLetterOutcomeRow>
{
    Q_OBJECT

public:
    enum Column { Url, Delivered, Attempts, LastStatus, LastError, ColumnCount };

    explicit DeadLetterEndpointsModel(QObject *parent = nullptr)
        : RowTableModel(ColumnCount, parent)
    {
    }

    // One dead letter's outcomes replace another's: a reset, not an update.
    void setOutcomes(const QJsonArray &endpoints);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
};

// Forward failures per second per domain, from the growth of the endpoints' cumulative
// `failures` counters between two status documents at least a second apart.
class ForwardFailureRates
{
public:
    using Rates = QList<std::pair<QString, double>>; // per domain, sorted by domain

    // Nothing when less than a second passed since the last sample (at most one point per
    // second), or when this document only sets a baseline: the first one, the first after a
    // long silence, or the first of a restarted node (whose counters started again at zero).
    std::optional<Rates> sample(const QJsonArray &endpoints, const QString &nodeStartedAt,
                                const QDateTime &time);

private:
    QHash<QString, double> m_failures; // per domain + '\n' + url
    QString m_nodeStartedAt;
    QDateTime m_lastSample;
};

} // namespace Switchboard
