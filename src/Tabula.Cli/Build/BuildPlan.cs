using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary>
/// Where a build's image goes, read from <c>-o</c>, <c>-t</c>, <c>--push</c> and <c>--iidfile</c> and checked as a
/// whole before anything is built, so a bad combination costs no build.
/// </summary>
internal sealed record BuildPlan(BuildOutput Output, IReadOnlyList<ImageReference> Tags, bool Push)
{
    /// <summary>Only the image output names the image in the store (buildx writes only to the output it is given).</summary>
    public bool NamesInStore => Output.Type == BuildOutputType.Image;

    public static BuildPlan Read(IReadOnlyList<string> outputs, IEnumerable<string> tags, bool push, string? iidFile)
    {
        if (outputs.Count > 1) throw new UsageException("give at most one -o/--output: tabula writes one output per build");
        var output = outputs.Count == 1 ? BuildOutput.Parse(outputs[0]) : BuildOutput.Default;
        var names = tags.Concat(output.Names).Select(BuildFlagParsing.Tag).DistinctBy(n => n.ToString()).ToList();
        if (push && output.Type != BuildOutputType.Image)
            throw new UsageException($"--push sends the image to a registry, -o type={output.Type.ToString().ToLowerInvariant()} only to its dest: give one of them");
        push |= output.Push;
        if (push && names.Count == 0)
            throw new UsageException("--push needs a name to push to: give -t REGISTRY/REPOSITORY[:TAG]");
        if (iidFile is not null && output.Type is BuildOutputType.Tar or BuildOutputType.Local)
            throw new UsageException($"--iidfile needs an image, and -o type={output.Type.ToString().ToLowerInvariant()} writes only a filesystem: leave one out");
        BuildOutputWriter.CheckDestination(output);
        return new BuildPlan(output, names, push);
    }
}
