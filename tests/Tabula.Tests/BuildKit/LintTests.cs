using Tabula.Build;
using Tabula.Dockerfile.Checks;
using Tabula.Oci;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's <c>frontend/dockerfile/dockerfile_check_test.go</c>: each Dockerfile is checked twice, as BuildKit does —
/// by a build (its "progress" warnings: only the stages built) and by <c>--check</c> (its "unmarshal" results: every
/// stage) — and both must give BuildKit's warnings: rule, line, message, description and page.
/// </summary>
public sealed class LintTests
{
    private sealed record W(string Rule, int Line, string Detail);

    /// <summary>BuildKit's descriptions and pages, as its tests spell them.</summary>
    private static readonly Dictionary<string, (string Description, string? Url)> Rules = new()
    {
        ["StageNameCasing"] = ("Stage names should be lowercase", "https://docs.docker.com/go/dockerfile/rule/stage-name-casing/"),
        ["FromAsCasing"] = ("The 'as' keyword should match the case of the 'from' keyword", "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"),
        ["NoEmptyContinuation"] = ("Empty continuation lines will become errors in a future release", "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/"),
        ["ConsistentInstructionCasing"] = ("All commands within the Dockerfile should use the same casing (either upper or lower)", "https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/"),
        ["DuplicateStageName"] = ("Stage names should be unique", "https://docs.docker.com/go/dockerfile/rule/duplicate-stage-name/"),
        ["ReservedStageName"] = ("Reserved words should not be used as stage names", "https://docs.docker.com/go/dockerfile/rule/reserved-stage-name/"),
        ["JSONArgsRecommended"] = ("JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals", "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/"),
        ["MaintainerDeprecated"] = ("The MAINTAINER instruction is deprecated, use a label instead to define an image author", "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/"),
        ["UndefinedArgInFrom"] = ("FROM command must use declared ARGs", "https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/"),
        ["WorkdirRelativePath"] = ("Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes", "https://docs.docker.com/go/dockerfile/rule/workdir-relative-path/"),
        ["UndefinedVar"] = ("Variables should be defined before their use", "https://docs.docker.com/go/dockerfile/rule/undefined-var/"),
        ["MultipleInstructionsDisallowed"] = ("Multiple instructions of the same type should not be used in the same stage", "https://docs.docker.com/go/dockerfile/rule/multiple-instructions-disallowed/"),
        ["LegacyKeyValueFormat"] = ("Legacy key/value format with whitespace separator should not be used", "https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/"),
        ["InvalidBaseImagePlatform"] = ("Base image platform does not match expected target platform", null),
        ["RedundantTargetPlatform"] = ("Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior", "https://docs.docker.com/go/dockerfile/rule/redundant-target-platform/"),
        ["SecretsUsedInArgOrEnv"] = ("Sensitive data should not be used in the ARG or ENV commands", "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/"),
        ["InvalidDefaultArgInFrom"] = ("Default value for global ARG results in an empty or invalid base image name", "https://docs.docker.com/go/dockerfile/rule/invalid-default-arg-in-from/"),
        ["FromPlatformFlagConstDisallowed"] = ("FROM --platform flag should not use a constant value", "https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/"),
        ["CopyIgnoredFile"] = ("Attempting to Copy file that is excluded by .dockerignore", "https://docs.docker.com/go/dockerfile/rule/copy-ignored-file/"),
        ["InvalidDefinitionDescription"] = ("Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.", "https://docs.docker.com/go/dockerfile/rule/invalid-definition-description/"),
        ["ExposeProtoCasing"] = ("Protocol in EXPOSE instruction should be lowercase", "https://docs.docker.com/go/dockerfile/rule/expose-proto-casing/"),
        ["ExposeInvalidFormat"] = ("IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release", "https://docs.docker.com/go/dockerfile/rule/expose-invalid-format/"),
    };

    [Fact]
    public async Task TestDefinitionDescription()
    {
        await AssertAsync(new Case("# check=skip=all;experimental=InvalidDefinitionDescription\n# foo this is the foo\nARG foo=bar\n\n# base this is the base image\nFROM scratch AS base\n\n# version this is the version number\nARG version=latest\n\n# baz this is the baz\nARG foo=baz bar=qux baz=quux\n#\nARG bit=bat\n\n# comment for something other than ARG or FROM\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("# check=experimental=InvalidDefinitionDescription\n# bar this is the bar\nARG foo=bar\n# BasE this is the BasE image\nFROM scratch AS base\n# definitely a bad comment\nARG version=latest\n# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n")
        {
            Warnings =
            [
                new("InvalidDefinitionDescription", 3, "Comment for ARG should follow the format: `# foo <description>`"),
                new("InvalidDefinitionDescription", 5, "Comment for FROM should follow the format: `# base <description>`"),
                new("InvalidDefinitionDescription", 7, "Comment for ARG should follow the format: `# version <description>`"),
                new("InvalidDefinitionDescription", 9, "Comment for ARG should follow the format: `# <arg_key> <description>`"),
            ],
        });
    }

    /// <summary>BuildKit's build then fails on the ignored file (not found); tabula's too.</summary>
    [Fact]
    public async Task TestCopyIgnoredFiles()
    {
        W[] both = [new("CopyIgnoredFile", 3, "Attempting to Copy file \"Dockerfile\" that is excluded by .dockerignore"), new("CopyIgnoredFile", 4, "Attempting to Add file \"Dockerfile\" that is excluded by .dockerignore")];
        await AssertAsync(new Case("\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n") { Dockerignore = "\nDockerfile\n", Warnings = both, BuildError = "Dockerfile" });
        await AssertAsync(new Case("# check=skip=CopyIgnoredFile\n\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n") { Dockerignore = "\nDockerfile\n", BuildError = "Dockerfile" });
        await AssertAsync(new Case("\nFROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\n\nFROM base\nCOPY --from=base /foobar /Dockerfile\n") { Dockerignore = "\nfoobar\n" });
        await AssertAsync(new Case("\nFROM scratch\nCOPY ./Dockerfile .\n") { Dockerignore = "\n**\n!Dockerfile\n" });
        await AssertAsync(new Case("\nFROM scratch\nCOPY . .\n\t") { Dockerignore = "\n**\n!Dockerfile\n" });
    }

    [Fact]
    public async Task TestCopyIgnoredFileContextRoot()
    {
        await AssertAsync(new Case("\nFROM scratch\nCOPY . .\n") { Dockerignore = "\n.*\n" });
        await AssertAsync(new Case("\nFROM scratch\nCOPY . .\n") { Dockerignore = "\n*\n", Warnings = [new("CopyIgnoredFile", 3, "Attempting to Copy file \".\" that is excluded by .dockerignore")] });
    }

    [Fact]
    public async Task TestSecretsUsedInArgOrEnv()
    {
        const string dockerfile = "# check=skip=InvalidDefinitionDescription\n\nFROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=\nENV PUBLIC_KEY=\nARG public_token\nARG SECRET_PASSPHRASE_FILE\nENV password_file=bar secret_File=baz\nARG AUTH_MODULE_VERSION\n# check=skip=SecretsUsedInArgOrEnv // allow secret in environment\nENV password=bar\n# check=skip=SecretsUsedInArgOrEnv // allow secret in arg\nARG password\n# check=skip=all // is local to only this instruction\nENV alternate_password=bar\n# check=skip=all // is local to only this instruction\nARG alternate_password\n";
        static W S(int line, string what) => new("SecretsUsedInArgOrEnv", line, $"Do not use ARG or ENV instructions for sensitive data ({what})");
        await AssertAsync(new Case(dockerfile)
        {
            Warnings =
            [
                S(4, "ARG \"SECRET_PASSPHRASE\""), S(5, "ENV \"SUPER_Secret\""), S(6, "ENV \"password\""), S(6, "ENV \"secret\""),
                S(7, "ARG \"auth\""), S(7, "ARG \"super_duper_secret_token\""), S(8, "ENV \"apikey\""), S(9, "ENV \"git_key\""),
            ],
        });
    }

    [Fact]
    public async Task TestAllTargetUnmarshal()
    {
        await AssertAsync(new Case("\nFROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n")
        {
            Warnings = [new("UndefinedVar", 6, "Usage of undefined variable '$bar'")],
            CheckWarnings = [new("UndefinedVar", 3, "Usage of undefined variable '$foo'"), new("UndefinedVar", 6, "Usage of undefined variable '$bar'")],
        });
    }

    [Fact]
    public async Task TestRuleCheckOption()
    {
        const string body = "FROM scratch as base\ncopy Dockerfile .\n";
        var fromAs = new W("FromAsCasing", 2, "'as' and 'FROM' keywords' casing do not match");
        await AssertAsync(new Case("#check=skip=all\n" + body));
        await AssertAsync(new Case("#check=skip=all;error=true\n" + body));
        await AssertAsync(new Case("#check=skip=ConsistentInstructionCasing,FromAsCasing\n" + body));
        await AssertAsync(new Case("#check=skip=ConsistentInstructionCasing,FromAsCasing;error=true\n" + body));
        await AssertAsync(new Case("#check=skip=ConsistentInstructionCasing\n" + body) { Warnings = [fromAs] });
        await AssertAsync(new Case("#check=skip=ConsistentInstructionCasing;error=true\n" + body)
        {
            Warnings = [fromAs],
            BuildError = "Dockerfile:2: lint violation found for rules: FromAsCasing",
            CheckError = "Dockerfile:2: lint violation found for rules: FromAsCasing",
        });
        await AssertAsync(new Case("#check=skip=all\n" + body)
        {
            Warnings = [fromAs],
            BuildError = "lint violation found for rules: FromAsCasing",
            CheckError = "lint violation found for rules: FromAsCasing",
            BuildArgs = new() { ["BUILDKIT_DOCKERFILE_CHECK"] = "skip=ConsistentInstructionCasing;error=true" },
        });
        await AssertAsync(new Case("#check=error=true\n" + body) { BuildArgs = new() { ["BUILDKIT_DOCKERFILE_CHECK"] = "skip=all" } });
    }

    [Fact]
    public async Task TestStageName()
    {
        await AssertAsync(new Case("\n# warning: stage name should be lowercase\n#\nFROM scratch AS BadStageName\n\n# warning: 'as' should match 'FROM' cmd casing.\n#\nFROM scratch as base2\n\nFROM scratch AS base3\n")
        {
            Warnings = [new("StageNameCasing", 4, "Stage name 'BadStageName' should be lowercase"), new("FromAsCasing", 8, "'as' and 'FROM' keywords' casing do not match")],
        });
        await AssertAsync(new Case("\n# warning: 'AS' should match 'from' cmd casing.\n#\nfrom scratch AS base\n\nfrom scratch as base2\n")
        {
            Warnings = [new("FromAsCasing", 4, "'AS' and 'from' keywords' casing do not match")],
        });
    }

    [Fact]
    public async Task TestNoEmptyContinuation()
    {
        await AssertAsync(new Case("\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\nCOPY Dockerfile \\\n.\n")
        {
            Warnings = [new("NoEmptyContinuation", 6, "Empty continuation line")],
        });
    }

    [Fact]
    public async Task TestConsistentInstructionCasing()
    {
        static W C(int line, string command, string casing) => new("ConsistentInstructionCasing", line, $"Command '{command}' should match the case of the command majority ({casing})");
        await AssertAsync(new Case("\n# warning: 'FROM' should be either lowercased or uppercased\n#\nFrom scratch as base\nFROM scratch AS base2\n") { Warnings = [C(4, "From", "uppercase")] });
        await AssertAsync(new Case("\nFROM scratch\n# warning: 'copy' should match command majority's casing (uppercase)\ncopy Dockerfile /foo\nCOPY Dockerfile /bar\n") { Warnings = [C(4, "copy", "uppercase")] });
        await AssertAsync(new Case("\n# warning: 'frOM' should be either lowercased or uppercased\n#\nfrOM scratch as base\nfrom scratch as base2\n") { Warnings = [C(4, "frOM", "lowercase")] });
        await AssertAsync(new Case("\nfrom scratch\n# warning: 'COPY' should match command majority's casing (lowercase)\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n") { Warnings = [C(4, "COPY", "lowercase")] });
        await AssertAsync(new Case("\n# warning: 'from' should match command majority's casing (uppercase)\n#\nfrom scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\nCOPY Dockerfile /baz\n") { Warnings = [C(4, "from", "uppercase")] });
        await AssertAsync(new Case("\n# warning: 'FROM' should match command majority's casing (lowercase)\n#\nFROM scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n") { Warnings = [C(4, "FROM", "lowercase")] });
        await AssertAsync(new Case("\nfrom scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n"));
        await AssertAsync(new Case("\nFROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n"));
        // A heredoc body is no instruction.
        await AssertAsync(new Case("\nFROM alpine\nRUN <<'EOT'\nenv\nEOT\n") { Build = false }, BusyboxAndAlpine);
    }

    [Fact]
    public async Task TestDuplicateStageName()
    {
        await AssertAsync(new Case("\nFROM scratch AS b\nFROM scratch AS b\n") { Warnings = [new("DuplicateStageName", 3, "Duplicate stage name \"b\", stage names should be unique")] });
        await AssertAsync(new Case("\nFROM scratch AS b1\nFROM scratch AS b2\n"));
    }

    [Fact]
    public async Task TestReservedStageName()
    {
        await AssertAsync(new Case("\nFROM scratch AS scratch\nFROM scratch AS context\n")
        {
            Warnings =
            [
                new("ReservedStageName", 2, "Stage name should not use the same name as reserved stage \"scratch\""),
                new("ReservedStageName", 3, "Stage name should not use the same name as reserved stage \"context\""),
            ],
        });
        await AssertAsync(new Case("\nFROM scratch\nFROM scratch AS a\n"));
    }

    [Fact]
    public async Task TestJSONArgsRecommended()
    {
        await AssertAsync(new Case("\nFROM scratch\nCMD mycommand\n") { Warnings = [new("JSONArgsRecommended", 3, "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals")] });
        await AssertAsync(new Case("\nFROM scratch\nENTRYPOINT mycommand\n") { Warnings = [new("JSONArgsRecommended", 3, "JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals")] });
        await AssertAsync(new Case("\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nCMD mycommand\n"));
        await AssertAsync(new Case("\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nENTRYPOINT mycommand\n"));
        await AssertAsync(new Case("\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nCMD mycommand\n"));
        await AssertAsync(new Case("\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nENTRYPOINT mycommand\n"));
    }

    [Fact]
    public async Task TestMaintainerDeprecated()
    {
        await AssertAsync(new Case("\nFROM scratch\nMAINTAINER me@example.org\n") { Warnings = [new("MaintainerDeprecated", 3, "Maintainer instruction is deprecated in favor of using label")] });
        await AssertAsync(new Case("\nFROM scratch\nLABEL org.opencontainers.image.authors=\"me@example.org\"\n"));
        await AssertAsync(new Case("\nFROM scratch\n# check=skip=JSONArgsRecommended\nCMD mycommand\n"));
        await AssertAsync(new Case("\nFROM scratch\n# check=skip=JSONArgsRecommended\nENTRYPOINT mycommand\n"));
        await AssertAsync(new Case("\nFROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER me@example.org\n"));
    }

    [Fact]
    public async Task TestWarningsBeforeError()
    {
        await AssertAsync(new Case("\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n")
        {
            Warnings = [new("StageNameCasing", 2, "Stage name 'BadStageName' should be lowercase"), new("MaintainerDeprecated", 3, "Maintainer instruction is deprecated in favor of using label")],
            BuildError = "Dockerfile:4: unknown instruction: BADCMD",
            CheckError = "Dockerfile:4: unknown instruction: BADCMD",
        });
    }

    [Fact]
    public async Task TestUndeclaredArg()
    {
        await AssertAsync(new Case("\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("\nARG DEBUG=\"\"\nFROM scratch${DEBUG-@bogus}\nCOPY Dockerfile .\n"));
        await AssertAsync(new Case("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n")
        {
            Warnings = [new("UndefinedArgInFrom", 2, "FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)")],
            BuildError = "Dockerfile:2",
        });
        await AssertAsync(new Case("\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\nCOPY Dockerfile .\n\t")
        {
            Warnings = [new("UndefinedArgInFrom", 4, "FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)")],
            BuildError = "Dockerfile:4",
        }, Busybox);
        await AssertAsync(new Case("\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n")
        {
            Warnings = [new("UndefinedArgInFrom", 3, "FROM argument 'version' is not declared")],
        }, Busybox);
    }

    [Fact]
    public async Task TestWorkdirRelativePath()
    {
        await AssertAsync(new Case("\nFROM scratch\nWORKDIR app/\n") { Warnings = [new("WorkdirRelativePath", 3, "Relative workdir \"app/\" can have unexpected results if the base image changes")] });
        await AssertAsync(new Case("\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\nWORKDIR subdir/\n"));
        await AssertAsync(new Case("\nFROM scratch\n# check=skip=WorkdirRelativePath\nWORKDIR app/\n"));
    }

    [Fact]
    public async Task TestUnmatchedVars()
    {
        await AssertAsync(new Case("\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n"));
        await AssertAsync(new Case("\nFROM alpine AS base\nARG foo=Dockerfile\n\nFROM base\nCOPY $foo .\n"), BusyboxAndAlpine);
        await AssertAsync(new Case("\nFROM alpine\nRUN echo $PATH\n") { Build = false }, BusyboxAndAlpine);
        await AssertAsync(new Case("\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n") { Build = false, Warnings = [new("UndefinedVar", 3, "Usage of undefined variable '$foo'")] }, BusyboxAndAlpine);
        await AssertAsync(new Case("\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t")
        {
            Warnings = [new("UndefinedVar", 6, "Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)")],
        }, BusyboxAndAlpine);
        await AssertAsync(new Case("\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n\t\t")
        {
            Warnings = [new("UndefinedVar", 3, "Usage of undefined variable '$PAHT' (did you mean $PATH?)")],
        }, BusyboxAndAlpine);
    }

    [Fact]
    public async Task TestMultipleInstructionsDisallowed()
    {
        static W M(string instruction, int line) => new("MultipleInstructionsDisallowed", line, $"Multiple {instruction} instructions should not be used in the same stage because only the last one will be used");
        await AssertAsync(new Case("\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n")
        {
            Warnings = [M("ENTRYPOINT", 3), M("CMD", 5), M("HEALTHCHECK", 7)],
        });
        await AssertAsync(new Case("\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nCOPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n")
        {
            Warnings = [M("ENTRYPOINT", 3), M("CMD", 4), M("HEALTHCHECK", 5)],
        });
        await AssertAsync(new Case("\nFROM scratch AS a\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\n\nFROM a AS b\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n"));
    }

    [Fact]
    public async Task TestLegacyKeyValueFormat()
    {
        W[] legacy = [new("LegacyKeyValueFormat", 3, "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format"), new("LegacyKeyValueFormat", 4, "\"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format")];
        await AssertAsync(new Case("\nFROM scratch\nENV testkey value\nLABEL key value\n") { Warnings = legacy });
        await AssertAsync(new Case("\nFROM scratch\nENV testkey=value\nLABEL key=value\n"));
        // Stage b is not built, so only --check sees it. BuildKit's test writes lines 3 and 4 there but compares no
        // lines in that mode; the ENV and LABEL are on lines 5 and 6.
        await AssertAsync(new Case("\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n\nFROM a AS c\n")
        {
            CheckWarnings = [legacy[0] with { Line = 5 }, legacy[1] with { Line = 6 }],
        });
        await AssertAsync(new Case("\nFROM scratch\n# check=skip=LegacyKeyValueFormat\nENV testkey value\n# check=skip=LegacyKeyValueFormat\nLABEL key value\n"));
    }

    [Fact]
    public async Task TestRedundantTargetPlatform()
    {
        await AssertAsync(new Case("\nFROM --platform=$TARGETPLATFORM scratch\n") { Warnings = [new("RedundantTargetPlatform", 2, "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior")] });
        await AssertAsync(new Case("\nFROM --platform=${TARGETPLATFORM} scratch\n") { Warnings = [new("RedundantTargetPlatform", 2, "Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this is the default behavior")] });
        await AssertAsync(new Case("\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n"));
    }

    [Fact]
    public async Task TestInvalidDefaultArgInFrom()
    {
        await AssertAsync(new Case("\nARG VERSION\nFROM busybox:$VERSION\n")
        {
            BuildArgs = new() { ["VERSION"] = "latest" },
            Warnings = [new("InvalidDefaultArgInFrom", 3, "Default value for ARG busybox:$VERSION results in empty or invalid base image name")],
        }, Busybox);
        await AssertAsync(new Case("\nARG IMAGE\nFROM $IMAGE\n")
        {
            BuildArgs = new() { ["IMAGE"] = "busybox:latest" },
            Warnings = [new("InvalidDefaultArgInFrom", 3, "Default value for ARG $IMAGE results in empty or invalid base image name")],
        }, Busybox);
        await AssertAsync(new Case("\nARG SFX=\"box:\"\nFROM busy${SFX}\n")
        {
            BuildArgs = new() { ["SFX"] = "box:latest" },
            Warnings = [new("InvalidDefaultArgInFrom", 3, "Default value for ARG busy${SFX} results in empty or invalid base image name")],
        }, Busybox);
        await AssertAsync(new Case("\nARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n") { BuildArgs = new() { ["VERSION"] = "latest" } }, Busybox);
        // busybox:stable-musl is the same fixture under the tag the build arg names.
        static async Task Musl(BuildHarness h)
        {
            await h.AddBusyboxAsync();
            await h.BuildAsync(h.Options($"FROM {BuildKitHarness.Busybox}\n", "busybox:stable-musl"));
        }
        await AssertAsync(new Case("\nARG BUSYBOX_VARIANT=\"\"\nFROM busybox:stable${BUSYBOX_VARIANT}\n") { BuildArgs = new() { ["BUSYBOX_VARIANT"] = "-musl" } }, Musl);
        await AssertAsync(new Case("\n\tARG BUSYBOX_VARIANT\n\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t") { BuildArgs = new() { ["BUSYBOX_VARIANT"] = "-musl" } }, Musl);
    }

    [Fact]
    public async Task TestFromPlatformFlagConstDisallowed()
    {
        await AssertAsync(new Case("\nFROM --platform=linux/amd64 scratch\n") { Warnings = [new("FromPlatformFlagConstDisallowed", 2, "FROM --platform flag should not use constant value \"linux/amd64\"")] });
        await AssertAsync(new Case("\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n"));
        await AssertAsync(new Case("\nFROM --platform=linux/amd64 scratch AS linux\n"));
    }

    [Fact]
    public async Task TestExposeProtoCasing()
    {
        await AssertAsync(new Case("\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n")
        {
            Warnings =
            [
                new("ExposeProtoCasing", 3, "Defined protocol '80/TcP' in EXPOSE instruction should be lowercase"),
                new("ExposeProtoCasing", 3, "Defined protocol '8080/TCP' in EXPOSE instruction should be lowercase"),
            ],
        });
    }

    [Fact]
    public async Task TestExposeInvalidFormat()
    {
        static W E(string port) => new("ExposeInvalidFormat", 3, $"EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'");
        await AssertAsync(new Case("\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n")
        {
            Warnings = [E("127.0.0.1:80:80"), E("[::1]:8080:8080"), E("5000:5000")],
        });
    }

    /// <summary>An image made for arm64 as the base of an amd64 build: BuildKit warns and builds; so does tabula.</summary>
    [Fact]
    public async Task TestBaseImagePlatformMismatch()
    {
        static async Task Arm64Image(BuildHarness h)
        {
            h.File("foo", "test");
            await h.BuildAsync(h.Options("\nFROM scratch\nCOPY foo /foo\n", "testbaseimageplatform:latest") with { Platform = Platform.Parse("linux/arm64") });
        }
        await AssertAsync(new Case("\nFROM testbaseimageplatform:latest\nENV foo=bar\n\t")
        {
            Warnings = [new("InvalidBaseImagePlatform", 2, "Base image testbaseimageplatform:latest was pulled with platform \"linux/arm64\", expected \"linux/amd64\" for current build")],
        }, Arm64Image);
    }

    private sealed record Case(string Dockerfile)
    {
        public W[] Warnings { get; init; } = [];

        /// <summary>What <c>--check</c> finds when it differs from the build (stages the build does not reach).</summary>
        public W[]? CheckWarnings { get; init; }

        /// <summary>Part of the error the build stops with; null: it succeeds.</summary>
        public string? BuildError { get; init; }

        /// <summary>Part of the error <c>--check</c> reports; null: none.</summary>
        public string? CheckError { get; init; }

        public string? Dockerignore { get; init; }
        public Dictionary<string, string> BuildArgs { get; init; } = [];

        /// <summary>False where the build runs RUN (needs root and runc): then only <c>--check</c> is asserted.</summary>
        public bool Build { get; init; } = true;

        public string Platform { get; init; } = "linux/amd64";
    }

    private static async Task AssertAsync(Case c, Func<BuildHarness, Task>? setup = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var h = new BuildHarness();
        if (setup is not null) await setup(h);
        h.File("Dockerfile", c.Dockerfile, "600");
        if (c.Dockerignore is not null) h.File(".dockerignore", c.Dockerignore, "600");
        var options = h.Options("") with { DockerfileText = null, BuildArgs = c.BuildArgs, Platform = Platform.Parse(c.Platform) };

        var checkResult = await new Builder(h.Store).CheckAsync(options, ct);
        AssertWarnings("--check", c.CheckWarnings ?? c.Warnings, checkResult.Warnings);
        if (c.CheckError is null) Assert.Null(checkResult.Error);
        else Assert.Contains(c.CheckError, Assert.IsType<Tabula.Dockerfile.DockerfileException>(checkResult.Error).Message, StringComparison.Ordinal);

        if (!c.Build) return;
        h.Events.Clear();
        if (c.BuildError is null)
        {
            var result = await h.BuildAsync(options);
            AssertWarnings("build result", c.Warnings, result.Warnings);
        }
        else
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => h.BuildAsync(options));
            Assert.Contains(c.BuildError, error.Message, StringComparison.Ordinal);
        }
        AssertWarnings("build progress", c.Warnings, h.Events.OfType<CheckWarningReported>().Select(e => e.Warning).ToList());
    }

    private static void AssertWarnings(string mode, IReadOnlyList<W> expected, IReadOnlyList<CheckWarning> actual)
    {
        static string Show(IEnumerable<(string, int, string)> rows) => string.Join("\n", rows.Select(r => $"{r.Item1} line {r.Item2}: {r.Item3}"));
        var want = expected.Select(w => (w.Rule, w.Line, w.Detail)).OrderBy(w => w.Line).ThenBy(w => w.Detail, StringComparer.Ordinal).ToList();
        var got = actual.Select(w => (w.RuleName, w.Location.StartLine, w.Detail)).OrderBy(w => w.StartLine).ThenBy(w => w.Detail, StringComparer.Ordinal).ToList();
        Assert.True(want.SequenceEqual(got), $"{mode}: expected\n{Show(want)}\nbut got\n{Show(got)}");
        foreach (var warning in actual)
        {
            Assert.Equal(Rules[warning.RuleName].Description, warning.Rule.Description);
            Assert.Equal(Rules[warning.RuleName].Url, warning.Rule.Url);
            Assert.Equal($"{warning.RuleName}: {warning.Detail} (line {warning.Location.StartLine})", warning.Short);
        }
    }

    private static Task Busybox(BuildHarness h) => h.AddBusyboxAsync();

    private static Task BusyboxAndAlpine(BuildHarness h) => h.AddBusyboxAndAlpineAsync();
}
