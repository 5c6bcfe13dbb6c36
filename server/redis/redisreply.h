#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <hiredis/hiredis.h>

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

    Type type() const
    {
        if (m_clientError)
            return Type::Error;
        if (!m_reply)
            return Type::Nil;
        switch (m_reply->type) {
        case REDIS_REPLY_STRING:
            return Type::String;
        case REDIS_REPLY_STATUS:
            return Type::Status;
        case REDIS_REPLY_INTEGER:
            return Type::Integer;
        case REDIS_REPLY_ARRAY:
            return Type::Array;
        case REDIS_REPLY_ERROR:
            return Type::Error;
        default:
            return Type::Nil;
        }
    }
    bool isError() const { return type() == Type::Error; }
    // True when the error came from our side (no reply from the server at all).
    bool isClientError() const { return m_clientError != nullptr; }
    bool isNil() const { return type() == Type::Nil; }

    // String, Status, Error. Inline: the sync engine calls it for every field it copies.
    QByteArrayView view() const
    {
        if (m_clientError)
            return QByteArrayView(*m_clientError);
        if (!m_reply || !m_reply->str)
            return {};
        return QByteArrayView(m_reply->str, qsizetype(m_reply->len));
    }
    QByteArray toByteArray() const { return view().toByteArray(); }
    QString errorMessage() const { return QString::fromUtf8(view()); }
    qint64 toInteger() const;

    size_t size() const // Array
    {
        if (!m_reply || m_clientError || m_reply->type != REDIS_REPLY_ARRAY)
            return 0;
        return m_reply->elements;
    }
    RedisReply at(size_t index) const
    {
        return index < size() ? RedisReply(m_reply->element[index]) : RedisReply(nullptr);
    }
    // The value after `key` in a flat key/value array (XINFO's replies); nil when absent.
    RedisReply field(QByteArrayView key) const
    {
        for (size_t i = 0; i + 1 < size(); i += 2) {
            if (at(i).view() == key)
                return at(i + 1);
        }
        return RedisReply(nullptr);
    }
    // toInteger(), or `nil` for a nil or absent value.
    qint64 toInteger(qint64 nil) const { return isNil() ? nil : toInteger(); }

private:
    const redisReply *m_reply;
    const QByteArray *m_clientError = nullptr;
};

} // namespace Switchboard
