#pragma once

// A dead letter: an event that could not be delivered to every endpoint of its domain, kept in
// a JetStream stream (so it survives restarts and is shared by every node) with the original
// bytes as the message body and what happened in headers. Its id is the stream sequence.

#include "nats/natsclient.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Switchboard {

struct EndpointOutcome
{
    QString url;
    bool delivered = false;
    int attempts = 0; // calls made to this endpoint for this event
    int lastStatus = 0; // HTTP status of the last call; 0: no response
    QString lastError; // empty when delivered

    QJsonObject toJson() const;
    static EndpointOutcome fromJson(const QJsonObject &object);
};

struct DeadLetter
{
    // Why the event stopped: no route for its domain, or every delivery was used up.
    enum class Reason { NoRoute, MaxDeliveries };

    quint64 id = 0; // sequence in the dead-letter stream
    Reason reason = Reason::MaxDeliveries;
    QByteArray eventId;
    QString domain;
    QByteArray deliveryKey;
    QByteArray subject; // where the event was published
    quint64 sourceSequence = 0; // its sequence in the event stream
    int deliveries = 0; // deliveries made by JetStream
    QDateTime receivedAt; // stored in the event stream
    QDateTime failedAt;
    QList<EndpointOutcome> endpoints;
    QByteArray body; // the original bytes
    // The record alone was too large for NATS: the body stays only in the event stream, at
    // sourceSequence, where replay and the detail view read it.
    bool bodyOmitted = false;

    static QString reasonName(Reason reason); // "no_route" | "max_deliveries"
    QString lastError() const; // the first failing endpoint's error, for one-line displays

    NatsHeaders toHeaders() const;
    static DeadLetter fromStored(const NatsStoredMessage &message);
    QJsonObject summaryJson() const; // list rows
    // + every endpoint, the body, and where the body is: "body" is "stored" (with the record),
    // "in_event_stream" (read from there), "gone" (aged out of the event stream: nothing to
    // replay) or "unreachable" (the event stream did not answer: `bodyError`, try again).
    QJsonObject detailJson(const QString &bodyError = {}) const;
};

} // namespace Switchboard
