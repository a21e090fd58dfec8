// SPDX-License-Identifier: MIT
// Test support: runs the `rapport` binary (RAPPORT_CLI, defined by tests/CMakeLists.txt for the
// suites that drive it) as a child process with stdin a pipe and stdout and stderr in files.
// Thread safety: one child per thread.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/scratch_dir.hpp"


namespace rapport::test {

namespace fs = std::filesystem;

/// The whole content of the file at `p`.
inline std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A running `rapport` process whose stdout and stderr go to files and whose stdin is a pipe.
class child {
public:
    child(const std::vector<std::string>& args, const fs::path& scratch) : out_(scratch / "stdout"), err_(scratch / "stderr") {
        int in[2];
        REQUIRE(::pipe(in) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::close(in[0]);
            ::close(in[1]);
            const int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(o, 1);
            ::dup2(e, 2);
            std::vector<char*> argv;
            std::string exe = RAPPORT_CLI;
            argv.push_back(exe.data());
            std::vector<std::string> copy = args;
            for (auto& a : copy) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(exe.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(in[0]);
        stdin_ = in[1];
    }
    ~child() {
        close_stdin();
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    void write(const std::string& s) {
        std::size_t done = 0;
        while (done < s.size()) {
            const auto n = ::write(stdin_, s.data() + done, s.size() - done);
            REQUIRE(n > 0);
            done += static_cast<std::size_t>(n);
        }
    }
    void close_stdin() {
        if (stdin_ >= 0) ::close(stdin_);
        stdin_ = -1;
    }
    void signal(int sig) { ::kill(pid_, sig); }
    // Waits for the exit and returns the exit code (128 + signal when killed by one).
    int wait() {
        int status = 0;
        REQUIRE(::waitpid(pid_, &status, 0) == pid_);
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    [[nodiscard]] std::string out() const { return slurp(out_); }
    [[nodiscard]] std::string err() const { return slurp(err_); }

private:
    fs::path out_, err_;
    pid_t pid_ = -1;
    int stdin_ = -1;
    bool reaped_ = false;
};

struct result {
    int code;
    std::string out;
    std::string err;
};

inline result run(const std::vector<std::string>& args, const std::string& input = {}) {
    scratch_dir io;
    child c(args, io.path());
    c.write(input);
    c.close_stdin();
    const int code = c.wait();
    return {code, c.out(), c.err()};
}

}  // namespace rapport::test
