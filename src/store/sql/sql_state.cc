// The whole-state operations of SqlTransaction (Reset, snapshots), generic over the schema:
// the tables come from the database catalog and the rules of store/state_tables.h, so a table
// another migration adds is cleared, copied and restored with no change here.
//
// A snapshot is one row of `snapshots` and one table per state table, "snapshot_<id>_<table>"
// (CreateSnapshotCopy), filled with INSERT ... SELECT: the database copies the rows itself,
// which is what makes saving and restoring 10,000 units take milliseconds.
#include <map>
#include <set>

#include "common/digest.h"
#include "store/sql/sql_transaction.h"
#include "store/state_tables.h"

namespace cuplane::store::sql {
namespace {

// Table and column names come from our own catalog, never from a request, but they go into SQL
// text: anything beyond [a-z0-9_] is refused rather than quoted.
const std::string& CheckedName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 63;
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok) throw StoreError(StoreError::Kind::kInternal, "unexpected name in the catalog: " + name);
  return name;
}

struct Catalog {
  std::map<std::string, std::vector<std::string>> columns;        // table -> its columns, in order
  std::vector<std::pair<std::string, std::string>> foreign_keys;  // (child, parent)
};

Catalog LoadCatalog(Connection& db, std::string_view columns_query,
                    std::string_view foreign_keys_query) {
  Catalog catalog;
  auto columns = db.Prepare(columns_query);
  while (columns.Step()) {
    catalog.columns[CheckedName(columns.Text(0))].push_back(CheckedName(columns.Text(1)));
  }
  auto keys = db.Prepare(foreign_keys_query);
  while (keys.Step()) catalog.foreign_keys.emplace_back(keys.Text(0), keys.Text(1));
  return catalog;
}

// The state tables with every parent before its children: inserting in this order and
// deleting in the reverse one satisfies every foreign key without deferring any.
std::vector<std::string> StateTablesParentsFirst(const Catalog& catalog) {
  std::vector<std::string> state;
  for (const auto& [table, columns] : catalog.columns) {
    if (RuleFor(table).state) state.push_back(table);
  }
  std::map<std::string, std::set<std::string>> parents;
  for (const auto& [child, parent] : catalog.foreign_keys) {
    if (child != parent && RuleFor(child).state && RuleFor(parent).state) {
      parents[child].insert(parent);
    }
  }
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (order.size() < state.size()) {
    bool progress = false;
    for (const std::string& table : state) {
      if (placed.count(table)) continue;
      bool ready = true;
      for (const std::string& parent : parents[table]) ready = ready && placed.count(parent);
      if (!ready) continue;
      order.push_back(table);
      placed.insert(table);
      progress = true;
    }
    if (!progress) {
      throw StoreError(StoreError::Kind::kInternal, "the state tables' foreign keys form a cycle");
    }
  }
  return order;
}

// "FROM table" restricted to its state rows.
std::string StateRows(const std::string& table) {
  std::string kept = RuleFor(table).kept_rows;
  return " FROM " + table + (kept.empty() ? "" : " WHERE NOT (" + kept + ")");
}

std::string CopyName(std::int64_t snapshot_id, const std::string& table) {
  std::string name = std::string(kSnapshotCopyPrefix) + std::to_string(snapshot_id) + "_" + table;
  return CheckedName(name);
}

std::string Joined(const std::vector<std::string>& names, const char* separator = ", ") {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += separator;
    joined += name;
  }
  return joined;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

void DeleteState(Connection& db, const std::vector<std::string>& parents_first) {
  for (auto table = parents_first.rbegin(); table != parents_first.rend(); ++table) {
    db.Exec("DELETE" + StateRows(*table));
  }
}

// Every state row, in a canonical order, through SHA-256; and how many rows there were.
std::pair<std::string, std::int64_t> DigestState(Connection& db, const Catalog& catalog) {
  std::string text;
  std::int64_t rows = 0;
  for (const auto& [table, columns] : catalog.columns) {  // by name: the same order everywhere
    if (!RuleFor(table).state) continue;
    std::string order;
    for (size_t i = 1; i <= columns.size(); ++i) order += (i > 1 ? ", " : "") + std::to_string(i);
    auto stmt = db.Prepare("SELECT " + Joined(columns) + StateRows(table) + " ORDER BY " + order);
    text += table + "\n";
    while (stmt.Step()) {
      ++rows;
      for (size_t c = 0; c < columns.size(); ++c) {
        auto value = stmt.OptionalText(static_cast<int>(c));
        // Length-prefixed, so no value can pass for two, and NULL differs from "".
        text += value ? std::to_string(value->size()) + ":" + *value : std::string("N");
        text += ';';
      }
      text += '\n';
    }
  }
  return {Sha256Hex(text), rows};
}

struct SnapshotRow {
  std::int64_t id = 0;
  std::vector<std::string> tables;
};

std::optional<SnapshotRow> FindSnapshot(Connection& db, const std::string& name) {
  auto stmt = db.Prepare("SELECT id, tables FROM snapshots WHERE name = ?");
  stmt.Bind(1, name);
  if (!stmt.Step()) return std::nullopt;
  return SnapshotRow{stmt.Int(0), Split(stmt.Text(1))};
}

void DropSnapshot(Connection& db, const std::string& name, const SnapshotRow& row) {
  for (const std::string& table : row.tables) {
    db.Exec("DROP TABLE IF EXISTS " + CopyName(row.id, CheckedName(table)));
  }
  db.Prepare("DELETE FROM snapshots WHERE name = ?").Bind(1, name).Run();
}

}  // namespace

void SqlTransaction::CreateSnapshotCopy(const std::string& table, const std::string& copy) {
  db_.Exec("CREATE TABLE " + copy + " AS SELECT * FROM " + table + " WHERE 1 = 0");
}

void SqlTransaction::ClearState() {
  armed_faults_.reset();
  accounts_read_.clear();
  Catalog catalog = LoadCatalog(db_, ColumnsQuery(), ForeignKeysQuery());
  std::vector<std::string> tables = StateTablesParentsFirst(catalog);
  LockTables(tables, TableLock::kAccessExclusive);
  DeleteState(db_, tables);
  BumpAuthGeneration();  // every cached key of every server is of a state that is gone
}

SnapshotInfo SqlTransaction::SaveSnapshot(const std::string& name, UnixSeconds saved_at) {
  // One saver at a time; then no writer anywhere until the copies are made, so that every
  // table is copied from the same moment even where each statement sees its own (PostgreSQL's
  // READ COMMITTED).
  LockTables({std::string(kSnapshotsTable)}, TableLock::kExclusive);
  Catalog catalog = LoadCatalog(db_, ColumnsQuery(), ForeignKeysQuery());
  std::vector<std::string> tables = StateTablesParentsFirst(catalog);
  LockTables(tables, TableLock::kShare);
  if (auto existing = FindSnapshot(db_, name)) DropSnapshot(db_, name, *existing);
  auto next = db_.Prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM snapshots");
  next.Step();
  std::int64_t id = next.Int(0);
  for (const std::string& table : tables) {
    const std::string copy = CopyName(id, table);
    CreateSnapshotCopy(table, copy);
    db_.Exec("INSERT INTO " + copy + " SELECT *" + StateRows(table));
  }
  auto [digest, rows] = DigestState(db_, catalog);
  db_.Prepare(
         "INSERT INTO snapshots (name, id, saved_at, tables, row_count, digest) "
         "VALUES (?, ?, ?, ?, ?, ?)")
      .Bind(1, name)
      .Bind(2, id)
      .Bind(3, saved_at)
      .Bind(4, Joined(tables, ","))
      .Bind(5, rows)
      .Bind(6, digest)
      .Run();
  return SnapshotInfo{name, saved_at, rows, digest};
}

bool SqlTransaction::RestoreSnapshot(const std::string& name) {
  armed_faults_.reset();
  accounts_read_.clear();
  LockTables({std::string(kSnapshotsTable)}, TableLock::kShare);  // not dropped under us
  auto snapshot = FindSnapshot(db_, name);
  if (!snapshot) return false;
  Catalog catalog = LoadCatalog(db_, ColumnsQuery(), ForeignKeysQuery());
  std::vector<std::string> tables = StateTablesParentsFirst(catalog);
  LockTables(tables, TableLock::kAccessExclusive);
  DeleteState(db_, tables);
  BumpAuthGeneration();  // every cached key of every server is of a state that is gone
  std::set<std::string> saved(snapshot->tables.begin(), snapshot->tables.end());
  for (const std::string& table : tables) {
    // A table the snapshot predates stays empty. Of a table that gained columns since, the
    // saved columns are put back and the new ones take their defaults.
    if (!saved.count(table)) continue;
    auto copy = catalog.columns.find(CopyName(snapshot->id, table));
    if (copy == catalog.columns.end()) continue;
    const std::vector<std::string>& live_columns = catalog.columns.at(table);
    if (copy->second == live_columns) {
      // The plain form, which a backend can run as a bulk copy (SQLite's transfer path).
      db_.Exec("INSERT INTO " + table + " SELECT * FROM " + copy->first);
      continue;
    }
    std::set<std::string> copied(copy->second.begin(), copy->second.end());
    std::vector<std::string> columns;
    for (const std::string& column : live_columns) {
      if (copied.count(column)) columns.push_back(column);
    }
    db_.Exec("INSERT INTO " + table + " (" + Joined(columns) + ") SELECT " + Joined(columns) +
             " FROM " + copy->first);
  }
  return true;
}

std::vector<SnapshotInfo> SqlTransaction::ListSnapshots() {
  auto stmt = db_.Prepare("SELECT name, saved_at, row_count, digest FROM snapshots ORDER BY name");
  std::vector<SnapshotInfo> snapshots;
  while (stmt.Step()) {
    snapshots.push_back(SnapshotInfo{stmt.Text(0), stmt.Int(1), stmt.Int(2), stmt.Text(3)});
  }
  return snapshots;
}

bool SqlTransaction::DeleteSnapshot(const std::string& name) {
  LockTables({std::string(kSnapshotsTable)}, TableLock::kExclusive);
  auto snapshot = FindSnapshot(db_, name);
  if (!snapshot) return false;
  DropSnapshot(db_, name, *snapshot);
  return true;
}

}  // namespace cuplane::store::sql
