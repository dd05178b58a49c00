#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* const kWithoutTokenFile =
    "erp: {sqlite: {path: /srv/erp.db}}\n"
    "kokola:\n"
    "  base_url: https://app.example.com\n";

class TokenFile : public ::testing::Test {
 protected:
  // A file holding `content`, with `mode`.
  std::string write(const std::string& content, mode_t mode = 0600,
                    const std::string& name = "token") {
    const std::string path = dir_.file(name);
    std::ofstream(path) << content;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  // The message read_token_file() throws for `path`; fails the test when it reads a token.
  static std::string refusal(const std::string& path) {
    try {
      read_token_file(path);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected '" << path << "' to be refused";
    return {};
  }

  TempDir dir_;
};

TEST_F(TokenFile, ContentIsTrimmed) { EXPECT_EQ(read_token_file(write("  s3cret\n")), "s3cret"); }

TEST_F(TokenFile, OwnerReadOnlyIsAccepted) {
  EXPECT_EQ(read_token_file(write("s3cret\n", 0400)), "s3cret");
}

TEST_F(TokenFile, ReadableByOthersIsRefusedWithTheModeAndTheFix) {
  const std::string path = write("s3cret\n", 0644);
  EXPECT_EQ(refusal(path), "reading token file '" + path +
                               "': group or others may access it (mode 0644); make it private "
                               "with 'chmod 600 " +
                               path + "'");
}

TEST_F(TokenFile, AnyGroupOrOtherBitIsRefused) {
  for (mode_t mode : {0640, 0604, 0620, 0602, 0610, 0601}) {
    const std::string path = write("s3cret\n", mode);
    EXPECT_THAT(refusal(path), HasSubstr("group or others may access it")) << std::oct << mode;
  }
}

TEST_F(TokenFile, RefusalNeverQuotesTheToken) {
  EXPECT_THAT(refusal(write("canary-0123456789\n", 0644)), Not(HasSubstr("canary")));
}

TEST_F(TokenFile, DirectoryIsRefused) {
  const std::string path = dir_.file("tokens");
  std::filesystem::create_directory(path);
  EXPECT_EQ(refusal(path), "reading token file '" + path + "': is a directory");
}

TEST_F(TokenFile, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = dir_.file("fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_EQ(refusal(path), "reading token file '" + path + "': not a regular file");
}

TEST_F(TokenFile, SymlinkToAPrivateFileIsRead) {
  const std::string target = write("s3cret\n");
  const std::string link = dir_.file("link");
  std::filesystem::create_symlink(target, link);
  EXPECT_EQ(read_token_file(link), "s3cret");
}

TEST_F(TokenFile, EmptyFileIsAnErrorThatNamesOnlyTheFile) {
  const std::string path = write(" \n");
  EXPECT_EQ(refusal(path), "reading token file '" + path + "': the file is empty");
}

TEST_F(TokenFile, TwoLinesAreRefusedWithoutQuotingThem) {
  const std::string path = write("s3cret\nmore\n");
  const std::string message = refusal(path);
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("the token spans several lines"));
  EXPECT_THAT(message, Not(HasSubstr("s3cret")));
}

TEST_F(TokenFile, MissingFileIsAnError) {
  const std::string path = dir_.file("absent");
  EXPECT_EQ(refusal(path), "reading token file '" + path + "': no such file");
}

TEST_F(TokenFile, ConfiguredFileWinsOverCredentials) {
  const std::string path = write("from-file\n");
  const Config config =
      parse_config(std::string(kWithoutTokenFile) + "  token_file: " + path + "\n", "test.yaml",
                   ConfigEnvironment{dir_.file("creds")});
  EXPECT_EQ(config.kokola.token_file, path);
  EXPECT_FALSE(config.kokola.token_from_credential);
  EXPECT_EQ(read_api_token(config.kokola), "from-file");
}

TEST_F(TokenFile, CredentialStandsInForAMissingTokenFile) {
  std::filesystem::create_directory(dir_.file("creds"));
  write("from-systemd\n", 0440, "creds/kokola-token");
  const Config config =
      parse_config(kWithoutTokenFile, "test.yaml", ConfigEnvironment{dir_.file("creds")});
  EXPECT_EQ(config.kokola.token_file, dir_.file("creds") + "/kokola-token");
  EXPECT_TRUE(config.kokola.token_from_credential);
  EXPECT_EQ(read_api_token(config.kokola), "from-systemd");
}

TEST_F(TokenFile, MissingCredentialIsNamed) {
  const std::string creds = dir_.file("creds");
  std::filesystem::create_directory(creds);
  const Config config = parse_config(kWithoutTokenFile, "test.yaml", ConfigEnvironment{creds});
  try {
    read_api_token(config.kokola);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "reading systemd credential kokola-token '" + creds + "/kokola-token': no such file");
  }
}

TEST_F(TokenFile, EmptyTokenFileFallsBackToCredentials) {
  const Config config = parse_config(std::string(kWithoutTokenFile) + "  token_file: \"\"\n",
                                     "test.yaml", ConfigEnvironment{"/run/credentials/x"});
  EXPECT_EQ(config.kokola.token_file, "/run/credentials/x/kokola-token");
}

TEST_F(TokenFile, WithoutEitherSourceTheErrorNamesBoth) {
  try {
    parse_config(kWithoutTokenFile, "test.yaml", ConfigEnvironment{});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_THAT(e.problems()[0], HasSubstr("kokola.token_file: required key is missing"));
    EXPECT_THAT(e.problems()[0], HasSubstr("LoadCredential=kokola-token:PATH"));
  }
}

TEST_F(TokenFile, ProcessEnvironmentSuppliesTheCredentialsDirectory) {
  ASSERT_EQ(::setenv("CREDENTIALS_DIRECTORY", "/run/credentials/kokola-sync.service", 1), 0);
  const ConfigEnvironment with = ConfigEnvironment::of_process();
  ASSERT_EQ(::unsetenv("CREDENTIALS_DIRECTORY"), 0);
  const ConfigEnvironment without = ConfigEnvironment::of_process();
  EXPECT_EQ(with.credentials_dir, "/run/credentials/kokola-sync.service");
  EXPECT_EQ(without.credentials_dir, "");
}

}  // namespace
}  // namespace kokola
