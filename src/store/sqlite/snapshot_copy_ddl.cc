#include "store/sqlite/snapshot_copy_ddl.h"

#include <regex>

namespace cuplane::store::sqlite {
namespace {

// Column-level foreign keys, the only form the schema uses: `REFERENCES parent(column)`.
const std::regex& ColumnReference() {
  static const std::regex re(R"(\s+REFERENCES\s+[a-z0-9_]+\s*\([a-z0-9_, ]*\))",
                             std::regex::icase);
  return re;
}

}  // namespace

std::optional<std::vector<std::string>> SnapshotCopyDefinition(
    const std::string& table, const std::string& table_sql,
    const std::vector<std::string>& index_sqls, const std::string& copy) {
  const std::regex create_table("^CREATE TABLE " + table + R"(\s*\()", std::regex::icase);
  std::smatch head;
  if (!std::regex_search(table_sql, head, create_table)) return std::nullopt;
  std::string body = std::regex_replace(head.suffix().str(), ColumnReference(), "");
  // Anything else that names another table (a table-level FOREIGN KEY, a REFERENCES clause
  // with actions) is beyond the simple form: give up rather than copy it.
  const std::regex other_reference(
      R"(\bREFERENCES\b|\bFOREIGN\s+KEY\b|\bON\s+(DELETE|UPDATE)\b|\bDEFERRABLE\b)",
      std::regex::icase);
  if (std::regex_search(body, other_reference)) return std::nullopt;
  std::vector<std::string> statements{"CREATE TABLE " + copy + " (" + body};

  const std::regex create_index(R"(^CREATE (UNIQUE )?INDEX [a-z0-9_]+ ON )" + table +
                                    R"(\s*(\(.*\))$)",
                                std::regex::icase);
  int n = 0;
  for (const std::string& index_sql : index_sqls) {
    std::smatch parts;
    if (!std::regex_match(index_sql, parts, create_index)) return std::nullopt;
    statements.push_back("CREATE " + parts[1].str() + "INDEX " + copy + "_i" +
                         std::to_string(++n) + " ON " + copy + " " + parts[2].str());
  }
  return statements;
}

}  // namespace cuplane::store::sqlite
