// Plain-text output for people: a table of aligned columns under a header row, and a list of
// "Label:  value" fields for one object. No colours or borders, so the output stays readable
// when piped into grep or a log.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace cuplane::cli {

class Table {
 public:
  // An empty `header` prints no header row.
  explicit Table(std::vector<std::string> header = {});

  // Missing cells print empty; extra cells widen the table.
  void AddRow(std::vector<std::string> cells);
  // Columns are separated by two spaces; the last one is not padded (no trailing blanks).
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// One object as "Label:  value" lines with the values aligned.
void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace cuplane::cli
