#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cuplane::cli {
namespace {

TEST(TableTest, AlignsColumnsUnderTheHeaderWithoutTrailingBlanks) {
  Table table({"ID", "NAME", "NOTE"});
  table.AddRow({"svc-a", "x", ""});
  table.AddRow({"s", "longer-name", "n"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "ID     NAME         NOTE\n"
            "svc-a  x\n"
            "s      longer-name  n\n");
}

TEST(TableTest, HeaderOnlyWhenEmptyAndRaggedRowsWiden) {
  std::ostringstream empty;
  Table({"A", "B"}).Print(empty);
  EXPECT_EQ(empty.str(), "A  B\n");

  Table ragged({"A"});
  ragged.AddRow({"1", "2"});
  ragged.AddRow({});
  std::ostringstream out;
  ragged.Print(out);
  EXPECT_EQ(out.str(), "A\n1  2\n\n");
}

TEST(TableTest, MeasuresTerminalColumnsNotBytes) {
  Table table({"NAME", "ID"});
  table.AddRow({"演示", "acct-demo"});  // two wide characters: four columns, like NAME
  table.AddRow({"é", "x"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "NAME  ID\n"
            "演示  acct-demo\n"
            "é     x\n");
}

TEST(PrintFieldsTest, AlignsValuesAfterTheLabels) {
  std::ostringstream out;
  PrintFields(out, {{"Account", "acct-a"}, {"In arrears", "no"}});
  EXPECT_EQ(out.str(),
            "Account:     acct-a\n"
            "In arrears:  no\n");
}

}  // namespace
}  // namespace cuplane::cli
