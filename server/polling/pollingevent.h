#pragma once

// The events of the polling engine as the Spring service publishes them (the seed's four
// internal routes) and as the polls return them.

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <optional>

namespace Switchboard {

enum class PublishRoute { Generic, OrderStatusChange, NewOrder, OrderUpdate };

struct PollingEvent
{
    QString eventType;
    QString userId; // empty: nobody's own, seen by every poller of the type
    // new-order and order-update carry other customers' names and amounts: admins only.
    bool adminOnly = false;
    // {"eventType","action","entityId","entityType","userId","metadata","timestamp"}, compact:
    // stored as it is and returned as it is with the "id" put in front, so that a poll never
    // parses or re-serialises an event.
    QByteArray json;
};

struct PollingEventParse
{
    std::optional<PollingEvent> event;
    QString error; // when there is no event: the 400's detail, naming the field
};

// The body of one publish route, checked: required fields present, every field of its type.
PollingEventParse parsePublishBody(PublishRoute route, const QByteArray &body,
                                   const QDateTime &now);

// "1732370000000-0" or "1732370000000": a Redis stream id, the form every lastEventId takes.
bool isValidEventId(QByteArrayView id);
// "3f2b8c1e-9d4a-4e6f-8b2a-1c5d7e9f0a3b": a UUID, the form of the Telemetry Service's event ids,
// which pages polling it at the switch-over still hold.
bool isGoEventId(QByteArrayView id);

} // namespace Switchboard
