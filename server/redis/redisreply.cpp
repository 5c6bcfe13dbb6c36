#include "redisreply.h"

#include <hiredis/hiredis.h>

namespace Switchboard {

RedisReply::Type RedisReply::type() const
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

QByteArrayView RedisReply::view() const
{
    if (m_clientError)
        return QByteArrayView(*m_clientError);
    if (!m_reply || !m_reply->str)
        return {};
    return QByteArrayView(m_reply->str, qsizetype(m_reply->len));
}

qint64 RedisReply::toInteger() const
{
    if (!m_reply || m_clientError)
        return 0;
    if (m_reply->type == REDIS_REPLY_INTEGER)
        return m_reply->integer;
    return view().toLongLong();
}

size_t RedisReply::size() const
{
    if (!m_reply || m_clientError || m_reply->type != REDIS_REPLY_ARRAY)
        return 0;
    return m_reply->elements;
}

RedisReply RedisReply::at(size_t index) const
{
    if (index >= size())
        return RedisReply(nullptr);
    return RedisReply(m_reply->element[index]);
}

} // namespace Switchboard
