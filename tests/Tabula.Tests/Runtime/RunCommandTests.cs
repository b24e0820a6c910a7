using Tabula.Build;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Tests.Runtime;

/// <summary>How a RUN instruction becomes process arguments and a history line, as BuildKit does it.</summary>
public class RunCommandTests
{
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    private static RunInstruction Parse(string run)
        => (RunInstruction)DockerfileParser.Parse("FROM scratch\n" + run + "\n", "Dockerfile").Stages[0].Instructions[0];

    private static StageState State(IReadOnlyList<string>? shell = null)
    {
        var state = new StageState(EmptyImage.Config(Amd64), [], Amd64);
        if (shell is not null) state.SetContainer(c => c with { Shell = shell });
        return state;
    }

    [Fact]
    public void Shell_form_goes_through_the_shell_and_exec_form_does_not()
    {
        Assert.Equal(["/bin/sh", "-c", "echo hi  there"], RunStep.Command(Parse("RUN echo hi  there"), State()).Args);
        Assert.Equal(["/bin/bash", "-ec", "echo hi"], RunStep.Command(Parse("RUN echo hi"), State(["/bin/bash", "-ec"])).Args);
        Assert.Equal(["/bin/echo", "a b"], RunStep.Command(Parse("RUN [\"/bin/echo\", \"a b\"]"), State()).Args);
    }

    [Fact]
    public void A_lone_heredoc_runs_its_body_and_a_shebang_one_runs_as_a_script()
    {
        var (plain, none) = RunStep.Command(Parse("RUN <<EOF\necho one\necho two\nEOF"), State());
        Assert.Equal(["/bin/sh", "-c", "echo one\necho two\n"], plain);
        Assert.Null(none);

        var (args, script) = RunStep.Command(Parse("RUN <<EOF\n#!/bin/sh\necho x\nEOF"), State());
        Assert.Equal(["/bin/sh", "-c", "/dev/pipes/EOF"], args);
        Assert.Equal(("EOF", "#!/bin/sh\necho x\n"), script);
    }

    [Fact]
    public void Other_heredocs_are_handed_to_the_shell_whole()
    {
        var (args, _) = RunStep.Command(Parse("RUN cat <<EOF > /f\nbody\nEOF"), State());
        Assert.Equal(["/bin/sh", "-c", "cat <<EOF > /f\nbody\nEOF"], args);
    }

    /// <summary>BuildKit's runCommandString: every declared ARG, valueless ones as <c>K=</c>, the step's value of each.</summary>
    [Fact]
    public void History_lists_every_declared_arg_with_the_value_the_step_sees()
    {
        var state = State();
        state.DeclareArg("A", "1");
        state.DeclareArg("B", null);
        state.DeclareArg("PATH", "/x");
        Assert.Equal("|3 A=1 B= PATH=/x /bin/sh -c make", RunStep.HistoryCommand(["/bin/sh", "-c", "make"], state));
        state.SetEnv("A", "env");
        Assert.Equal("|3 A=env B= PATH=/x /bin/sh -c make", RunStep.HistoryCommand(["/bin/sh", "-c", "make"], state));
        Assert.Equal("/bin/sh -c make", RunStep.HistoryCommand(["/bin/sh", "-c", "make"], State()));
    }
}
