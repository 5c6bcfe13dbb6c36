#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

struct redisReply;

namespace Switchboard {

// A read-only view of one hiredis reply, valid only inside the callback that receives it
// (hiredis frees the reply when the callback returns). Copy out what you keep: the hot paths
// copy each field once, straight from hiredis' buffer into the engine's own structures.
class RedisReply
{
public:
    enum class Type { Nil, String, Status, Integer, Array, Error };

    explicit RedisReply(const redisReply *reply)
        : m_reply(reply)
    {
    }
    // A failure that never reached the server: connection lost, timeout, not connected.
    static RedisReply clientError(const QByteArray *message)
    {
        RedisReply r(nullptr);
        r.m_clientError = message;
        return r;
    }

    Type type() const;
    bool isError() const { return type() == Type::Error; }
    // True when the error came from our side (no reply from the server at all).
    bool isClientError() const { return m_clientError != nullptr; }
    bool isNil() const { return type() == Type::Nil; }

    QByteArrayView view() const; // String, Status, Error
    QByteArray toByteArray() const { return view().toByteArray(); }
    QString errorMessage() const { return QString::fromUtf8(view()); }
    qint64 toInteger() const;

    size_t size() const; // Array
    RedisReply at(size_t index) const;

private:
    const redisReply *m_reply;
    const QByteArray *m_clientError = nullptr;
};

} // namespace Switchboard
