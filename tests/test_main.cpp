// SPDX-License-Identifier: MIT
// The main of every test executable: doctest's, plus a check that the run executed at least one
// test case, so that a CTest entry whose --source-file or --test-case filter matches nothing (a
// renamed file, a mistyped pattern) fails instead of passing with nothing tested.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <iostream>

namespace {

std::atomic<int> cases_started{0};

// A listener that only counts the test cases that start.
struct case_counter final : doctest::IReporter {
    explicit case_counter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override { ++cases_started; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("case_counter", 1, case_counter);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int rc = context.run();
    if (context.shouldExit()) return rc;  // --help, --list-test-cases and the like
    if (rc == 0 && cases_started.load() == 0) {
        std::cerr << "test_main: the filters selected no test case\n";
        return 1;
    }
    return rc;
}
