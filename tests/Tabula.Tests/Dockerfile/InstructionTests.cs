using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Tests.Dockerfile;

public sealed class InstructionTests
{
    /// <summary>The typed instructions of a one-stage file whose FROM line is added in front.</summary>
    private static IReadOnlyList<Instruction> Stage(string body) =>
        Assert.Single(DockerfileParser.Parse("FROM scratch\n" + body).Stages).Instructions;

    private static T Single<T>(string line) where T : Instruction => Assert.IsType<T>(Assert.Single(Stage(line + "\n")));

    private static DockerfileException Failure(string text) =>
        Assert.Throws<DockerfileException>(() => DockerfileParser.Parse(text));

    [Fact]
    public void Official_scratch_image_shape()
    {
        var document = DockerfileParser.Parse("FROM scratch\nADD alpine-minirootfs.tgz /\nCMD [\"/bin/sh\"]\n");

        var stage = Assert.Single(document.Stages);
        Assert.Equal("scratch", stage.BaseName);
        var add = Assert.IsType<AddInstruction>(stage.Instructions[0]);
        Assert.Equal(["alpine-minirootfs.tgz"], add.Transfer.Sources);
        Assert.Equal("/", add.Transfer.Destination);
        Assert.Equal("ADD alpine-minirootfs.tgz /", add.Text);
        Assert.Equal("ADD alpine-minirootfs.tgz /", add.HistoryText);
        var cmd = Assert.IsType<CmdInstruction>(stage.Instructions[1]);
        Assert.Equal("CMD [\"/bin/sh\"]", cmd.Text);
        Assert.False(cmd.Command.PrependShell);
        Assert.Equal(["/bin/sh"], cmd.Command.Arguments);
        Assert.Equal("CMD [\"/bin/sh\"]", cmd.HistoryText(["/bin/sh", "-c"]));
        Assert.Equal(new SourceLocation("Dockerfile", 3, 3), cmd.Location);
    }

    [Fact]
    public void Meta_args_and_named_stages_with_platform()
    {
        var document = DockerfileParser.Parse(
            "ARG GO=1.22 BASE\nFROM --platform=$BUILDPLATFORM golang:${GO} AS Build\nRUN go build\nFROM scratch\nCOPY --from=build /out/app /app\n");

        var meta = Assert.Single(document.MetaArgs);
        Assert.Equal([new ArgDeclaration("GO", "1.22"), new ArgDeclaration("BASE", null)], meta.Arguments);
        Assert.Equal(2, document.Stages.Count);
        var build = document.FindStage("BUILD")!;
        Assert.Equal("build", build.Name);
        Assert.Equal("golang:${GO}", build.BaseName);
        Assert.Equal("$BUILDPLATFORM", build.Platform);
        Assert.Equal(1, document.Stages[1].Index);
        Assert.Equal("build", Assert.IsType<CopyInstruction>(Assert.Single(document.Stages[1].Instructions)).From);
    }

    [Fact]
    public void From_expands_with_meta_args()
    {
        var from = DockerfileParser.Parse("FROM --platform=${P:-linux/amd64} alpine:${V}\n").Stages[0].From;

        var expanded = from.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(["V=3.20"])));

        Assert.Equal("alpine:3.20", expanded.BaseName);
        Assert.Equal("linux/amd64", expanded.Platform);
        Assert.Equal("alpine:${V}", from.BaseName);
    }

    [Fact]
    public void Copy_flags()
    {
        var copy = Single<CopyInstruction>(
            "COPY --from=build --chown=1000:1000 --chmod=0755 --link --parents --exclude=*.md --exclude=tmp/ a b /dest/");

        Assert.Equal("build", copy.From);
        Assert.Equal("1000:1000", copy.Transfer.Chown);
        Assert.Equal("0755", copy.Transfer.Chmod);
        Assert.True(copy.Transfer.Link);
        Assert.True(copy.Parents);
        Assert.Equal(["*.md", "tmp/"], copy.Transfer.Excludes);
        Assert.Equal(["a", "b"], copy.Transfer.Sources);
        Assert.Equal("/dest/", copy.Transfer.Destination);
        Assert.Equal("COPY --parents --chown=1000:1000 --chmod=0755 a b /dest/", copy.HistoryText);
    }

    [Fact]
    public void Add_flags()
    {
        var add = Single<AddInstruction>(
            "ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --link=false https://example.com/x.tgz /x");

        Assert.Equal("sha256:abc", add.Checksum);
        Assert.True(add.KeepGitDir);
        Assert.False(add.Unpack);
        Assert.False(add.Transfer.Link);
        Assert.Null(Single<AddInstruction>("ADD a b").Unpack);
    }

    [Fact]
    public void Json_form_sources_may_contain_spaces()
    {
        var copy = Single<CopyInstruction>("COPY [\"test file\", \"/tmp/test file\"]");

        Assert.Equal(["test file"], copy.Transfer.Sources);
        Assert.Equal("/tmp/test file", copy.Transfer.Destination);
    }

    [Fact]
    public void Heredoc_sources_become_inline_files()
    {
        var copy = Single<CopyInstruction>("COPY <<FILE1 <<-'FILE2' src /dest\ncontent $A\nFILE1\n\tliteral $A\nFILE2");

        Assert.Equal(["src"], copy.Transfer.Sources);
        Assert.Equal(
            [new InlineSource("FILE1", "content $A\n", Expand: true), new InlineSource("FILE2", "literal $A\n", Expand: false)],
            copy.Transfer.InlineSources);
        Assert.Equal("COPY src <<FILE1 <<FILE2 /dest", copy.HistoryText);

        var expanded = copy.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(["A=1"])));
        Assert.Equal(["content 1\n", "literal $A\n"], expanded.Transfer.InlineSources.Select(s => s.Content));
    }

    [Fact]
    public void Heredoc_destination_is_rejected() =>
        Assert.Equal("Dockerfile:2: COPY cannot accept a heredoc as a destination", Failure("FROM a\nCOPY a <<EOF\nx\nEOF\n").Message);

    [Fact]
    public void Copy_and_add_expand_paths_and_ownership_but_not_from()
    {
        var copy = Single<CopyInstruction>("COPY --from=$STAGE --chown=$USER ${SRC}/* $DEST");

        var expanded = copy.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(
            ["STAGE=x", "USER=app", "SRC=lib", "DEST=/opt/"])));

        Assert.Equal("$STAGE", expanded.From);
        Assert.Equal("app", expanded.Transfer.Chown);
        Assert.Equal(["lib/*"], expanded.Transfer.Sources);
        Assert.Equal("/opt/", expanded.Transfer.Destination);
        Assert.Equal(copy.Text, expanded.Text);
    }

    [Fact]
    public void Run_shell_and_exec_forms_with_flags()
    {
        var instructions = Stage(
            "RUN --mount=type=cache,target=/var/cache/build --mount=type=secret,id=npm --network=none --security=insecure make\n" +
            "RUN [\"/bin/echo\", \"hi\"]\nRUN <<EOF\nset -e\necho hi\nEOF\n");

        var shell = Assert.IsType<RunInstruction>(instructions[0]);
        Assert.True(shell.Command.PrependShell);
        Assert.Equal(["make"], shell.Command.Arguments);
        Assert.Equal(["type=cache,target=/var/cache/build", "type=secret,id=npm"], shell.Mounts);
        Assert.Equal("none", shell.Network);
        Assert.Equal("insecure", shell.Security);
        Assert.Equal(["mount", "network", "security"], shell.FlagsUsed);

        var exec = Assert.IsType<RunInstruction>(instructions[1]);
        Assert.False(exec.Command.PrependShell);
        Assert.Equal(["/bin/echo", "hi"], exec.Command.Arguments);
        Assert.Equal("default", exec.Network);
        Assert.Equal("sandbox", exec.Security);

        var heredoc = Assert.IsType<RunInstruction>(instructions[2]);
        Assert.Equal(["<<EOF"], heredoc.Command.Arguments);
        Assert.Equal("set -e\necho hi\n", Assert.Single(heredoc.Heredocs).Content);
        Assert.Equal(new SourceLocation("Dockerfile", 4, 7), heredoc.Location);
        Assert.Same(heredoc, heredoc.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.Empty)));
    }

    [Theory]
    [InlineData("RUN --network=bridge x", "invalid network mode \"bridge\"")]
    [InlineData("RUN --security=root x", "security \"root\" is not valid")]
    [InlineData("RUN --mount x", "missing a value on flag: --mount")]
    [InlineData("COPY --chwon=1 a b", "unknown flag: --chwon (did you mean chown?)")]
    [InlineData("COPY --link=maybe a b", "expecting boolean value for flag --link, not: maybe")]
    [InlineData("COPY --link= a b", "missing a value on flag: --link")]
    [InlineData("COPY --from=a --from=b a b", "duplicate flag specified: --from")]
    [InlineData("ADD --parents a b", "unknown flag: --parents")]
    [InlineData("ENV --x=1 A=b", "unknown flag: --x")]
    [InlineData("COPY a", "COPY requires at least two arguments, but only one was provided. Destination could not be determined")]
    [InlineData("WORKDIR", "WORKDIR requires exactly one argument")]
    [InlineData("EXPOSE", "EXPOSE requires at least one argument")]
    [InlineData("ENV", "ENV requires at least one argument")]
    [InlineData("ENV A", "ENV must have two arguments")]
    [InlineData("ENV A=1 B", "Syntax error - can't find = in \"B\". Must be of the form: name=value")]
    [InlineData("ENV =1", "ENV names can not be blank")]
    [InlineData("ARG =1", "ARG names can not be blank")]
    [InlineData("LABEL", "LABEL requires at least one argument")]
    [InlineData("SHELL /bin/bash -c", "SHELL requires the arguments to be in JSON form")]
    [InlineData("SHELL []", "SHELL requires at least one argument")]
    [InlineData("CMD [\"a\", 1]", "when using JSON array syntax, arrays must be comprised of strings only")]
    [InlineData("VOLUME [\"\"]", "VOLUME specified can not be an empty string")]
    [InlineData("FORM x", "unknown instruction: FORM (did you mean FROM?)")]
    [InlineData("frobnicate x", "unknown instruction: frobnicate")]
    [InlineData("FROM a b", "FROM requires either one or three arguments")]
    [InlineData("FROM a AS 1st", "invalid name for build stage: \"1st\", name can't start with a number or contain symbols")]
    [InlineData("FROM --platform a", "missing a value on flag: --platform")]
    [InlineData("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    [InlineData("ONBUILD FROM x", "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("ONBUILD maintainer x", "MAINTAINER isn't allowed as an ONBUILD trigger")]
    [InlineData("ONBUILD", "ONBUILD requires at least one argument")]
    public void Instruction_errors_name_the_file_and_line(string line, string reason)
    {
        var error = Failure("FROM scratch\n\n" + line + "\n");

        Assert.Equal(3, error.Line);
        Assert.Equal(reason, error.Reason);
        Assert.Equal("Dockerfile:3: " + reason, error.Message);
    }

    [Fact]
    public void Error_message_uses_the_given_file_name()
    {
        var error = Assert.Throws<DockerfileException>(() => DockerfileParser.Parse("FROM a\nRUN --foo x\n", "app/Dockerfile.prod"));

        Assert.Equal("app/Dockerfile.prod:2: unknown flag: --foo", error.Message);
        Assert.Equal("app/Dockerfile.prod", error.FileName);
    }

    [Fact]
    public void Instructions_before_the_first_from_are_errors()
    {
        var error = Failure("ARG A\nRUN echo\nFROM a\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("no build stage in current context", error.Message);
    }

    [Fact]
    public void Cmd_entrypoint_and_shell()
    {
        var instructions = Stage("SHELL [\"/bin/bash\", \"-c\"]\nCMD echo $HOME\nENTRYPOINT [\"/app\"]\nENTRYPOINT []\n");

        var shell = Assert.IsType<ShellInstruction>(instructions[0]);
        Assert.Equal(["/bin/bash", "-c"], shell.Shell);
        Assert.Equal("SHELL [/bin/bash -c]", shell.HistoryText);
        var cmd = Assert.IsType<CmdInstruction>(instructions[1]);
        Assert.True(cmd.Command.PrependShell);
        Assert.Equal(["/bin/bash", "-c", "echo $HOME"], cmd.Command.WithShell(shell.Shell));
        Assert.Equal("CMD [\"/bin/bash\" \"-c\" \"echo $HOME\"]", cmd.HistoryText(shell.Shell));
        Assert.Equal("ENTRYPOINT [\"/app\"]", Assert.IsType<EntrypointInstruction>(instructions[2]).HistoryText(shell.Shell));
        Assert.Empty(Assert.IsType<EntrypointInstruction>(instructions[3]).Command.Arguments);
    }

    [Fact]
    public void Env_and_label_pairs_keep_quotes_until_expanded()
    {
        var instructions = Stage("ENV A=\"x y\" B=${A}z\nENV LEGACY some value\nLABEL \"org.title\"=\"My app\" v=$VERSION\n");

        var env = Assert.IsType<EnvInstruction>(instructions[0]);
        Assert.Equal([new KeyValue("A", "\"x y\""), new KeyValue("B", "${A}z")], env.Pairs);
        Assert.Equal([new KeyValue("LEGACY", "some value", LegacyForm: true)], Assert.IsType<EnvInstruction>(instructions[1]).Pairs);

        var expander = new Tabula.Dockerfile.Expansion.ShellWordExpander(
            Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(["A=q", "VERSION=1.0"]));
        var expandedEnv = Assert.IsType<EnvInstruction>(env.Expand(expander));
        Assert.Equal([new KeyValue("A", "x y"), new KeyValue("B", "qz")], expandedEnv.Pairs);
        Assert.Equal("ENV A=x y B=qz", expandedEnv.HistoryText);

        var label = Assert.IsType<LabelInstruction>(instructions[2].Expand(expander));
        Assert.Equal([new KeyValue("org.title", "My app"), new KeyValue("v", "1.0")], label.Pairs);
        Assert.Equal("LABEL org.title=My app v=1.0", label.HistoryText);
    }

    [Fact]
    public void Arg_expands_defaults_only()
    {
        var arg = Single<ArgInstruction>("ARG $NAME=${BASE}/x PLAIN Q=\"a b\"");

        var expanded = arg.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(["BASE=/opt", "NAME=n"])));

        Assert.Equal(
            [new ArgDeclaration("$NAME", "/opt/x"), new ArgDeclaration("PLAIN", null), new ArgDeclaration("Q", "a b")],
            expanded.Arguments);
    }

    [Fact]
    public void Single_word_instructions_expand()
    {
        var instructions = Stage("WORKDIR $HOME/src\nUSER ${U:-app}:grp\nSTOPSIGNAL $SIG\nVOLUME [\"$DATA\", \"/logs\"]\nMAINTAINER $NOT\n");
        var expander = new Tabula.Dockerfile.Expansion.ShellWordExpander(
            Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(["HOME=/home/me", "SIG=SIGINT", "DATA=/data"]));

        var expanded = instructions.Select(i => i.Expand(expander)).ToArray();

        Assert.Equal("/home/me/src", Assert.IsType<WorkdirInstruction>(expanded[0]).Path);
        Assert.Equal("app:grp", Assert.IsType<UserInstruction>(expanded[1]).User);
        Assert.Equal("SIGINT", Assert.IsType<StopSignalInstruction>(expanded[2]).Signal);
        Assert.Equal(["/data", "/logs"], Assert.IsType<VolumeInstruction>(expanded[3]).Volumes);
        Assert.Equal("$NOT", Assert.IsType<MaintainerInstruction>(expanded[4]).Maintainer);
        Assert.Equal(["U"], expander.UnmatchedVariables);
    }

    [Fact]
    public void Expose_sorts_as_written_and_splits_expanded_words()
    {
        var expose = Single<ExposeInstruction>("EXPOSE 8080/tcp $PORTS 443");

        Assert.Equal(["$PORTS", "443", "8080/tcp"], expose.Ports);
        var expanded = expose.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.FromAssignments(["PORTS=53/udp 9000"])));
        Assert.Equal(["53/udp", "9000", "443", "8080/tcp"], expanded.Ports);
    }

    [Fact]
    public void Expansion_errors_carry_the_instruction_line()
    {
        var workdir = Stage("\nWORKDIR ${DIR:?must be set}\n")[0];

        var error = Assert.Throws<DockerfileException>(() => workdir.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.Empty)));

        Assert.Equal("Dockerfile:3: failed to process \"${DIR:?must be set}\": DIR: must be set", error.Message);
    }

    [Fact]
    public void Backtick_escape_is_honoured_in_expansion()
    {
        var document = DockerfileParser.Parse("# escape=`\nFROM scratch\nWORKDIR C:\\work`$X\n");
        var workdir = Assert.IsType<WorkdirInstruction>(document.Stages[0].Instructions[0]);

        var expanded = workdir.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.Empty, document.EscapeToken));

        Assert.Equal("C:\\work$X", expanded.Path);
    }

    [Fact]
    public void Healthcheck_cmd_with_go_durations()
    {
        var health = Single<HealthcheckInstruction>(
            "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=250ms --start-interval=2s --retries=3 CMD curl -f http://localhost/").Health;

        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/"], health.Test);
        Assert.Equal(90_000_000_000, health.Interval.Nanoseconds);
        Assert.Equal(1_500_000_000, health.Timeout.Nanoseconds);
        Assert.Equal(250_000_000, health.StartPeriod.Nanoseconds);
        Assert.Equal(TimeSpan.FromSeconds(2), health.StartInterval.ToTimeSpan());
        Assert.Equal(3, health.Retries);

        Assert.Equal(["CMD", "/check", "-q"], Single<HealthcheckInstruction>("HEALTHCHECK CMD [\"/check\", \"-q\"]").Health.Test);
        Assert.Equal(["NONE"], Single<HealthcheckInstruction>("HEALTHCHECK none").Health.Test);
    }

    [Theory]
    [InlineData("HEALTHCHECK --interval=5 CMD x", "time: missing unit in duration \"5\"")]
    [InlineData("HEALTHCHECK --interval=5d CMD x", "time: unknown unit \"d\" in duration \"5d\"")]
    [InlineData("HEALTHCHECK --timeout=abc CMD x", "time: invalid duration \"abc\"")]
    [InlineData("HEALTHCHECK --interval=10us CMD x", "Interval \"interval\" cannot be less than 1ms")]
    [InlineData("HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)")]
    [InlineData("HEALTHCHECK --retries=x CMD x", "strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD")]
    [InlineData("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments")]
    [InlineData("HEALTHCHECK CONNECT TCP 7000", "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)")]
    [InlineData("HEALTHCHECK --start=1s CMD x", "unknown flag: --start")]
    public void Healthcheck_errors(string line, string reason) => Assert.Equal(reason, Failure("FROM a\n" + line + "\n").Reason);

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1h2m3.5s", 3_723_500_000_000L)]
    [InlineData("-1.5ms", -1_500_000L)]
    [InlineData("300us", 300_000L)]
    [InlineData("1\u00b5s", 1_000L)]
    [InlineData(".5s", 500_000_000L)]
    [InlineData("2562047h47m16.854775807s", long.MaxValue)]
    public void Go_durations(string text, long nanoseconds) => Assert.Equal(nanoseconds, GoDuration.Parse(text).Nanoseconds);

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("2562048h")]
    public void Bad_go_durations(string text) => Assert.Throws<FormatException>(() => GoDuration.Parse(text));

    [Fact]
    public void Onbuild_keeps_the_trigger_text_with_heredoc_bodies()
    {
        var instructions = Stage("ONBUILD RUN echo \"hi $X\"\nonbuild COPY --from=x a b\nONBUILD RUN <<EOF\necho hi\nEOF\n");

        var run = Assert.IsType<OnbuildInstruction>(instructions[0]);
        Assert.Equal("RUN echo \"hi $X\"", run.Expression);
        Assert.Equal("RUN", run.TriggerKeyword);
        Assert.Same(run, run.Expand(new(Tabula.Dockerfile.Expansion.VariableMap.Empty)));
        Assert.Equal("COPY --from=x a b", Assert.IsType<OnbuildInstruction>(instructions[1]).Expression);
        Assert.Equal("RUN <<EOF\necho hi\nEOF", Assert.IsType<OnbuildInstruction>(instructions[2]).Expression);
    }
}
