// Request-body keys matched to field names as Go's encoding/json matched them (core/jsonfields).
// No server: the engines' tests check the same rules through their routes.

#include "core/jsonfields.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Switchboard;
using namespace Qt::Literals::StringLiterals;

class TestJsonFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysFoldAsGoFoldsThem();
};

void TestJsonFields::keysFoldAsGoFoldsThem()
{
    QVERIFY(jsonKeyMatchesField(u"userid", u"userId"));
    QVERIFY(jsonKeyMatchesField(u"USERID", u"userId"));
    QVERIFY(jsonKeyMatchesField(u"u\u017FerId", u"userId"));
    QVERIFY(jsonKeyMatchesField(u"U\u017FERID", u"userId"));
    QVERIFY(jsonKeyMatchesField(u"\u212Aind", u"kind"));
    QVERIFY(jsonKeyMatchesField(u"KIND", u"kind"));
    QVERIFY(jsonKeyMatchesField(u"CALL_ID", u"call_id"));
    QVERIFY(!jsonKeyMatchesField(u"\u212Aind", u"sind")); // KELVIN SIGN is no s
    QVERIFY(!jsonKeyMatchesField(u"u\u017FerId", u"ukerId")); // LONG S is no k
    QVERIFY(!jsonKeyMatchesField(u"\u0130d", u"id")); // I WITH DOT folds with no ASCII letter
    QVERIFY(!jsonKeyMatchesField(u"\u0131d", u"id")); // nor does DOTLESS I
    QVERIFY(!jsonKeyMatchesField(u"user_id", u"userId"));
    QVERIFY(!jsonKeyMatchesField(u"userIds", u"userId"));
    QVERIFY(!jsonKeyMatchesField(u"call-id", u"call_id"));
    QVERIFY(!jsonKeyMatchesField(u"CALL\u007FID", u"call_id"));
    QVERIFY(!jsonKeyMatchesField(u"", u"id"));

    const QJsonObject body =
        QJsonDocument::fromJson(R"({"Domain":"cased","STATE":null,"state":null,"Status":"s"})")
            .object();
    QCOMPARE(jsonField(body, u"domain"), QJsonValue(u"cased"_s));
    QCOMPARE(jsonField(body, u"status"), QJsonValue(u"s"_s));
    QVERIFY(jsonField(body, u"state").isNull()); // only nulls: null
    QVERIFY(jsonField(body, u"call_id").isUndefined()); // no key: undefined
    const QJsonObject both =
        QJsonDocument::fromJson(R"({"DOMAIN":"upper","domain":"exact","Domain":"cased"})").object();
    QCOMPARE(jsonField(both, u"domain"), QJsonValue(u"exact"_s));
}

QTEST_GUILESS_MAIN(TestJsonFields)
#include "tst_jsonfields.moc"
