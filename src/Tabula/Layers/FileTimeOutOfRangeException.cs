namespace Tabula.Layers;

/// <summary>A file whose mtime no image can record here (before year 1 or after 9999, which tmpfs allows).</summary>
public sealed class FileTimeOutOfRangeException(string path, long unixSeconds)
    : IOException($"{path}: its modification time ({unixSeconds} s since 1970) is outside the years 1-9999 an image can record; give it another (touch -d) or leave it out (.dockerignore)");
