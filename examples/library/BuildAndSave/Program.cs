// Builds an image from a Dockerfile into the local store, lists it, and saves it as an archive that `docker load`
// takes; the same as `tabula build -t hello-library . && tabula images && tabula save -o hello-library.tar hello-library`.
//
//   dotnet run -- [ARCHIVE [CONTEXT]]
//
// ARCHIVE is the tar to write (default: hello-library.tar), CONTEXT a folder with a Dockerfile (default: a small
// FROM-scratch one made here). The store is tabula's own ($TABULA_ROOT, else ~/.local/share/tabula).
using Tabula;
using Tabula.Build;
using Tabula.Oci;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

var archive = args.Length > 0 ? args[0] : "hello-library.tar";
var contextDirectory = args.Length > 1 ? args[1] : MakeContext();
using var madeHere = args.Length > 1 ? null : new RemovedAtEnd(contextDirectory);

var tabula = TabulaClient.Open();
var built = await tabula.BuildAsync(new BuildOptions
{
    ContextDirectory = contextDirectory,
    Tags = [ImageReference.Parse("hello-library:latest")],
    // A fixed time makes the digest the same on every machine (as SOURCE_DATE_EPOCH does).
    Timestamp = DateTimeOffset.UnixEpoch,
}, null, cancellation.Token);
Console.WriteLine($"built {built.ImageId} as {string.Join(", ", built.Tags.Select(t => t.ToFamiliarString()))}");

foreach (var image in await tabula.ListImagesAsync("hello-library", cancellation.Token))
    Console.WriteLine($"listed {image.Repository}:{image.Tag} {image.Id.Short} {image.Size} bytes");

await tabula.SaveAsync(["hello-library:latest"], archive, cancellation.Token);
Console.WriteLine($"saved {archive}");

static string MakeContext()
{
    var directory = Directory.CreateTempSubdirectory("tabula-sample-").FullName;
    File.WriteAllText(Path.Combine(directory, "hello.txt"), "Hello from a Tabula library build\n");
    File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM scratch\nCOPY hello.txt /\nCMD [\"/hello.txt\"]\n");
    return directory;
}

sealed class RemovedAtEnd(string directory) : IDisposable
{
    public void Dispose() => Directory.Delete(directory, recursive: true);
}
