// A GoogleTest fixture for code that talks to DynamoDB: one in-memory
// emulator per test suite (started in SetUpTestSuite, a couple of
// milliseconds), and for every test a namespace of its own, so each test
// starts with no tables at no cost. Header-only: link GTest::gtest and
// dynamo::emu.
//
//   class OrdersTest : public dynamo::testing::EmulatorTest {};
//
//   TEST_F(OrdersTest, PlacesAnOrder) {
//     // An SDK client: endpoint(), access_key(), secret_key(), region().
//     // The AWS SDK for C++:
//     //   Aws::Client::ClientConfiguration config;
//     //   config.endpointOverride = endpoint();   // "http://127.0.0.1:<port>"
//     //   config.scheme = Aws::Http::Scheme::HTTP;
//     //   config.region = region();
//     //   Aws::DynamoDB::DynamoDBClient client(
//     //       Aws::Auth::AWSCredentials(access_key(), secret_key()), config);
//     // Or in-process, without HTTP:
//     auto r = Dispatch("ListTables", "{}");
//     EXPECT_EQ(r.status, 200);
//   }
//
// Every request signed with access_key() (any secret) reaches this test's
// namespace: tables of other tests are not seen. A suite that needs other
// options starts its own emulator (see suite_emulator below).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "dynamo/emulator.h"

namespace dynamo::testing {

// A running emulator and a fresh namespace on it: what a test hands to an
// SDK. RAII: the emulator stops when the last handle to it goes.
class EmulatorHandle {
 public:
  // Starts an in-memory emulator on a free port (options' port, in_memory
  // and listen are overridden); a failure fails the calling test.
  static std::shared_ptr<Emulator> StartInMemory(EmulatorOptions options = {}) {
    options.port = 0;
    options.in_memory = true;
    options.listen = true;
    if (options.threads == 0) options.threads = 2;
    auto started = Emulator::Start(options);
    if (!started.ok()) {
      ADD_FAILURE() << "dynamo-emu did not start: " << started.error().message;
      return nullptr;
    }
    return std::shared_ptr<Emulator>(std::move(started).value());
  }

  // A namespace no one has used on emulator: an access key of its own.
  explicit EmulatorHandle(std::shared_ptr<Emulator> emulator)
      : emulator_(std::move(emulator)), access_key_(NextAccessKey()) {}

  Emulator& emulator() const { return *emulator_; }
  std::string endpoint() const { return emulator_->endpoint(); }
  const std::string& access_key() const { return access_key_; }
  std::string secret_key() const { return "test-secret"; }
  std::string region() const { return "us-east-1"; }

  // One operation in this namespace, without HTTP.
  server::ApiResponse Dispatch(std::string_view operation, std::string_view body) const {
    server::RequestContext ctx;
    ctx.access_key = access_key_;
    ctx.region = region();
    return emulator_->Dispatch(operation, body, ctx);
  }

  // Deletes every table of this namespace (POST /_emu/reset).
  server::ApiResponse Reset() const {
    return emulator_->Control(
        "POST", "/_emu/reset",
        R"({"AccessKeyId":")" + access_key_ + R"(","Region":")" + region() + R"("})");
  }

 private:
  static std::string NextAccessKey() {
    static std::atomic<unsigned> next{0};
    return "TEST" + std::to_string(++next);
  }

  std::shared_ptr<Emulator> emulator_;
  std::string access_key_;
};

// The fixture: one emulator for the suite, a fresh namespace per test.
class EmulatorTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() { suite_emulator() = EmulatorHandle::StartInMemory(); }
  static void TearDownTestSuite() { suite_emulator().reset(); }

 protected:
  void SetUp() override {
    ASSERT_NE(suite_emulator(), nullptr) << "the suite's emulator did not start";
    handle_ = std::make_unique<EmulatorHandle>(suite_emulator());
  }

  const EmulatorHandle& handle() const { return *handle_; }
  Emulator& emulator() const { return handle_->emulator(); }
  std::string endpoint() const { return handle_->endpoint(); }
  const std::string& access_key() const { return handle_->access_key(); }
  std::string secret_key() const { return handle_->secret_key(); }
  std::string region() const { return handle_->region(); }
  server::ApiResponse Dispatch(std::string_view operation, std::string_view body) const {
    return handle_->Dispatch(operation, body);
  }

  // The suite's emulator (started by SetUpTestSuite). A suite that needs
  // other options hides SetUpTestSuite and starts its own:
  //   static void SetUpTestSuite() {
  //     suite_emulator() = EmulatorHandle::StartInMemory({.transaction_hold_ms = 300});
  //   }
  static std::shared_ptr<Emulator>& suite_emulator() {
    static std::shared_ptr<Emulator> emulator;
    return emulator;
  }

 private:
  std::unique_ptr<EmulatorHandle> handle_;
};

}  // namespace dynamo::testing
