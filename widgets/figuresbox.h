#pragma once

#include <QGroupBox>
#include <QList>

QT_BEGIN_NAMESPACE
class QGridLayout;
class QLabel;
QT_END_NAMESPACE

namespace Switchboard {

// A panel's engine figures: "name: value" pairs, `columns` pairs to a line, each with a tooltip
// saying what it counts; the values can be selected, for copying, and wrap when long.
class FiguresBox : public QGroupBox
{
    Q_OBJECT

public:
    struct Figure
    {
        QString name; // without the colon
        QString toolTip;
    };

    FiguresBox(const QString &title, const QList<Figure> &figures, int columns,
               QWidget *parent = nullptr);

    // The room a value always has; a longer one wraps at spaces, and then is cut.
    static constexpr int minimumValueChars = 16;

    // The labels showing the values, in the order the figures were given.
    QList<QLabel *> values() const { return m_values; }
    // Beside something taller (a chart), the figures keep to the top instead of spreading out.
    void keepToTop();

private:
    QGridLayout *m_grid;
    QList<QLabel *> m_values;
};

} // namespace Switchboard
