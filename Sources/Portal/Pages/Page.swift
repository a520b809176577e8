import Markdown

/// The frame of every page: no inline script or style (the CSP forbids them), the CSRF token in a meta tag
/// for portal.js, and every piece of text escaped.
enum Page {
    static func html(title: String, csrf: String?, user: String?, body: String, scripts: [String] = []) -> String {
        let e = MarkdownHTML.escape
        let account = user.map {
            "<a href=\"/instructor\">Instructor</a><a href=\"/admin\">Admin</a>"
                + "<span class=\"who\">\(e($0))</span> <button type=\"button\" data-action=\"logout\">Log out</button>"
        } ?? ""
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title)) · nalabo</title>
        \(csrf.map { "<meta name=\"csrf-token\" content=\"\(e($0))\">" } ?? "")
        <link rel="stylesheet" href="/assets/portal.css">
        \(scripts.contains("xterm") ? "<link rel=\"stylesheet\" href=\"/assets/xterm/xterm.css\">" : "")
        </head>
        <body>
        <header><a class="brand" href="/">nalabo</a><nav>\(account)</nav></header>
        <main>
        \(body)
        </main>
        <p id="flash" role="status" aria-live="polite"></p>
        \(scripts.contains("xterm") ? "<script src=\"/assets/xterm/xterm.js\"></script>" : "")
        <script src="/assets/portal.js"></script>
        </body>
        </html>
        """
    }

    static func loginForm(event: String? = nil) -> String {
        """
        <form id="login" class="card" data-event="\(MarkdownHTML.escape(event ?? ""))">
        <h2>Log in</h2>
        <label>Handle <input name="handle" autocomplete="username" required></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Log in</button>
        </form>
        """
    }
}
