// Request-body keys matched to field names as Go's encoding/json matched them (core/jsonfields).
// No server: the engines' tests check the same rules through their routes.

#include "core/jsonfields.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QTest>

using namespace Switchboard;
using namespace Qt::Literals::StringLiterals;

class TestJsonFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysFoldAsGoFoldsThem();
    void whatGoRefusesAndQtTakesIsNamed_data();
    void whatGoRefusesAndQtTakesIsNamed();
    void aRefusalIsNamedForWhatIsWrong_data();
    void aRefusalIsNamedForWhatIsWrong();
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

// What a client is told of a body QJsonDocument refuses. Qt 6.4 names a body cut short by what
// it was reading when the bytes ran out: {"domain":"x" was an "unterminated string", though the
// string is closed, and [1,2 an "invalid termination by number".
void TestJsonFields::aRefusalIsNamedForWhatIsWrong_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("text");
    QTest::newRow("object not closed")
        << QByteArray(R"({"domain":"x")") << u"the JSON ends at byte 13 before it is complete"_s;
    QTest::newRow("string not closed")
        << QByteArray(R"({"domain":"x)") << u"the JSON ends at byte 12 before it is complete"_s;
    QTest::newRow("array not closed, spaces after")
        << QByteArray("{\"a\":[1,2 \r\n") << u"the JSON ends at byte 12 before it is complete"_s;
    QTest::newRow("empty") << QByteArray(" \n") << u"the body is empty"_s;
    QTest::newRow("wrong in the middle")
        << QByteArray(R"({"domain" "x"})") << u"missing name separator at offset 11"_s;
}

void TestJsonFields::aRefusalIsNamedForWhatIsWrong()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, text);
    QJsonParseError error;
    QJsonDocument::fromJson(body, &error);
    QVERIFY(error.error != QJsonParseError::NoError);
    const QString said = jsonParseErrorText(body, error);
    QVERIFY2(said.startsWith(text), qPrintable(said));
}

QTEST_GUILESS_MAIN(TestJsonFields)
// Bodies QJsonDocument parses and Go's encoding/json refused with a 400; each clean text beside
// them must stay clean (strings and numbers Go took as they are).
void TestJsonFields::whatGoRefusesAndQtTakesIsNamed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("problem"); // empty: none
    QTest::newRow("unknown escape")
        << QByteArray(R"({"a":"x\qy"})") << u"invalid escape at offset 7"_s;
    QTest::newRow("hex escape") << QByteArray(R"({"a":"\x41"})") << u"invalid escape at offset 6"_s;
    QTest::newRow("raw control") << QByteArray("{\"a\":\"x\x01y\"}")
                                 << u"control character U+0001 unescaped in a string at offset 7"_s;
    QTest::newRow("raw tab") << QByteArray("{\"a\":\"\t\"}") << u"U+0009"_s;
    QTest::newRow("point last") << QByteArray(R"({"a":1.})") << u"digit on each side"_s;
    QTest::newRow("point first") << QByteArray(R"({"a":[-.5]})") << u"digit on each side"_s;
    QTest::newRow("every escape") << QByteArray(
        R"({"a":"\" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"})")
                                  << QString();
    QTest::newRow("points and backslashes in strings")
        << QByteArray(R"({"a.":".5","b":"1.","c\\":"\\"})") << QString();
    QTest::newRow("numbers") << QByteArray(R"({"a":[1.5,-0.25,1e5,2.5E-3,0]})") << QString();
    QTest::newRow("unicode") << QByteArray("{\"a\":\"caf\xc3\xa9 \xf0\x9f\x93\x9e\"}") << QString();
}

void TestJsonFields::whatGoRefusesAndQtTakesIsNamed()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, problem);
    QJsonParseError error;
    QJsonDocument::fromJson(text, &error);
    QCOMPARE(error.error, QJsonParseError::NoError); // Qt takes every one of them
    const QString found = jsonSyntaxProblem(text);
    if (problem.isEmpty())
        QVERIFY2(found.isEmpty(), qPrintable(found));
    else
        QVERIFY2(found.contains(problem), qPrintable(found));
}

#include "tst_jsonfields.moc"
