// SPDX-License-Identifier: MIT
// RAII for an SQLite connection and a prepared statement, shared by the FTS5 sides of peers_bench
// (fts5_peer.cpp, fields_peers.cpp); failures become exceptions carrying SQLite's message.
// Thread safety: one connection per thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace rapport::bench::peers {

class connection {
public:
    connection(const std::string& path, int flags) {
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error("sqlite3_open_v2(" + path + "): " + msg);
        }
    }
    ~connection() { sqlite3_close(db_); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
            sqlite3_free(err);
            throw std::runtime_error("sqlite: " + sql + ": " + msg);
        }
    }
    [[nodiscard]] std::int64_t scalar(const std::string& sql);
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("sqlite: " + what + ": " + sqlite3_errmsg(db_));
    }
    [[nodiscard]] sqlite3* get() const noexcept { return db_; }

private:
    sqlite3* db_ = nullptr;
};

class statement {
public:
    statement(connection& db, const std::string& sql) : db_(&db) {
        if (sqlite3_prepare_v3(db.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
            db.fail(sql);
    }
    ~statement() { sqlite3_finalize(stmt_); }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
    // Steps once; true while there is a row.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) db_->fail(sqlite3_sql(stmt_));
        return false;
    }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

private:
    connection* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

inline std::int64_t connection::scalar(const std::string& sql) {
    statement s(*this, sql);
    return s.step() ? sqlite3_column_int64(s.get(), 0) : 0;
}

}  // namespace rapport::bench::peers
