"""Invented pages for the republication-graph tests (issue 10): one Chinese article and six
copies of it (a WeChat original, a carded WeChat reprint, a sohu-like mirror, a Markdown dump,
a 60% excerpt and a Japanese translation), two articles on one site template, and a digest.

The structures follow tests/cleaners/pages (wechat_original_2024.html, wechat_reprint_card.html,
mirror_sohu.html, dump2_md_account_line_zh.txt, mirror_ja_translation.html); every text is
invented here. Names are written in characters that are the same in simplified Chinese and
Japanese, so the translation's reprint header names the account and author as they are.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

TITLE = "县城修理铺的第二春：一张地图救活了37家小店"
PARAGRAPHS = [
    "2019年冬天，临河县城东街的李师傅差点关掉了他开了二十六年的电器维修铺。那一年，他一个月只"
    "接到不到40单生意，房租却涨到了每月1800元。他说，年轻人家里的电饭煲坏了，第一反应是上网再"
    "买一个，根本想不到街角还有人会修。",
    "转机来自一个叫 OpenFix 的开源项目。项目发起人 Lukas Berger 原本是德国一家软件公司的工程师，"
    "他在2017年写了一个简单的网页，让志愿者把身边还在营业的修理铺标在地图上。项目的地图至今仍"
    "可以在 https://openfix.example.org/map 上查到，代码也全部公开。",
    "2020年春天，县里返乡创业的大学生周晓禾看到了这个项目。她花了三个周末，骑着电动车走遍县城"
    "的大街小巷，一共找到37家还在营业的修理铺：修家电的、修鞋的、修自行车的，还有一家专修老式"
    "收音机的。她把这些店一家一家录进地图，又做了一个微信小程序，取名“附近能修”。",
    "小程序上线的第一个月，只有不到300人打开过。周晓禾并不着急，她在每家店门口贴了一张二维码，"
    "又请几位师傅录了短视频，讲讲自己最拿手的活儿。李师傅的视频里，他用15分钟修好了一台罢工的"
    "电风扇，这条视频后来被转发了一万多次。",
    "到2023年底，“附近能修”累计登记的维修订单超过4200件，其中68%是家用小电器，其次是手机屏幕"
    "和自行车。按周晓禾的估算，这些东西如果直接丢掉再买新的，居民一共要多花大约51万元，还会多"
    "出将近9吨电子垃圾。",
    "周晓禾给小程序加了一个“修理日志”功能：每修好一件东西，师傅就拍一张修好前后的照片，写上换了"
    "什么零件、花了多少钱。三年下来，日志里积累了1.2万张照片，成了县城里最特别的一本“生活账本”。"
    "有位中学老师把这些照片做成了课件，在课堂上讲电路和材料。",
    "维修铺的生意也跟着好了起来。李师傅说，现在他每个月能接到120单左右，周末还得请儿子来帮忙。"
    "更让他高兴的是，来修东西的人里，有一半是三十岁以下的年轻人，有人修完还会留下来，看他怎么"
    "拆一台老式录音机。",
    "当然，问题也不少。很多新家电用胶水封死外壳，零件不单独出售，师傅们只能从报废的机器上拆。"
    "Lukas Berger 在接受邮件采访时说，欧洲从2021年开始推行“维修权”规则，要求厂商在十年内提供"
    "备件，他希望中国的厂商也能朝这个方向走。",
    "另一个难题是手艺的传承。37家修理铺里，有一半以上的师傅已经年过五十五岁，愿意学这门手艺的"
    "年轻人不多。去年，周晓禾和县职业学校合作开了一个为期8周的维修班，第一期招了24名学员，其中"
    "有6人毕业后留在了修理铺当学徒。",
    "县里的市场监管部门去年也注意到了这条“线上修理街”。他们和周晓禾一起制定了一份服务公约，"
    "要求入驻的店铺明码标价、修不好不收费，并把每单的保修期统一定为90天。截至目前，已经有29家"
    "店签了公约。",
    "周晓禾现在最想做的，是把这套办法复制到周边的几个县。她算过一笔账：一个县城只要有20家以上"
    "的修理铺愿意入驻，再有两名志愿者负责维护地图，小程序的运营成本每年不到5000元。邻县的两位"
    "大学生已经报名，准备今年夏天开始走街串巷。",
    "采访快结束时，李师傅从柜台下面拿出一个铁皮饼干盒，里面装满了各种型号的螺丝和保险丝。"
    "“这些东西，别人看是破烂，我看是宝贝。”他说，只要还有人愿意修，东西就不会那么快变成垃圾，"
    "这门手艺也就不会断。",
]

JA_TITLE = "県城の修理店に二度目の春:一枚の地図が37軒の小さな店を救った"
JA_PARAGRAPHS = [
    "2019年の冬、臨河県の東街で26年間電器修理店を営んできた李さんは、店を畳む寸前だった。その年、"
    "注文は月に40件足らずだったが、家賃は月1800元に上がった。若い人は炊飯器が壊れると、まずネットで"
    "新しいものを買おうとし、街角に修理できる人がいることなど思いつきもしない、と李さんは言う。",
    "転機は OpenFix というオープンソースのプロジェクトからやってきた。発起人の Lukas Berger はもと"
    "もとドイツのソフトウェア会社のエンジニアで、2017年に、ボランティアが身近で営業している修理店を"
    "地図に登録できる簡単なウェブページを作った。その地図は今でも https://openfix.example.org/map "
    "で見ることができ、コードもすべて公開されている。",
    "2020年の春、故郷に戻って起業した大学生の周暁禾さんがこのプロジェクトを知った。彼女は三つの週末"
    "をかけて電動自転車で県城の通りを回り、営業中の修理店を37軒見つけた。家電、靴、自転車の修理店の"
    "ほか、古いラジオ専門の店もあった。彼女はそれらを一軒ずつ地図に登録し、さらに「近くで直せる」と"
    "いう微信のミニプログラムを作った。",
    "ミニプログラムを公開した最初の月、開いた人は300人に満たなかった。周さんは焦らず、各店の入口に"
    "QRコードを貼り、何人かの職人に得意な仕事を語る短い動画を撮ってもらった。李さんの動画では、動か"
    "なくなった扇風機を15分で直してみせ、この動画はのちに1万回以上シェアされた。",
    "2023年末までに、「近くで直せる」に登録された修理の注文は累計4200件を超え、そのうち68%が小型"
    "家電で、次がスマートフォンの画面と自転車だった。周さんの試算では、これらを捨てて新品を買って"
    "いたら、住民は合わせて約51万元多く支払い、9トン近い電子ごみが増えていたという。",
    "周さんはミニプログラムに「修理日誌」の機能を加えた。一件直すごとに職人が修理前後の写真を撮り、"
    "交換した部品とかかった費用を書き込む。3年間で日誌には1.2万枚の写真がたまり、県城でいちばん"
    "風変わりな「暮らしの帳簿」になった。ある中学校の教師はこれらの写真を教材にして、授業で電気回路"
    "と材料について教えている。",
    "修理店の商売もそれにつれて良くなった。李さんは今、月に120件ほどの注文を受け、週末には息子に"
    "手伝ってもらわなければならない。さらに嬉しいのは、修理に来る人の半分が30歳以下の若者で、修理"
    "が終わっても残って、彼が古いカセットレコーダーを分解する様子を見ていく人もいることだ。",
    "もちろん課題も多い。新しい家電の多くは外装が接着剤で封じられ、部品は単体で売られていないため、"
    "職人たちは廃棄された機械から部品を取るしかない。Lukas Berger はメールでの取材に対し、欧州では"
    "2021年から「修理する権利」のルールが導入され、メーカーに10年間の部品供給が求められていると述べ、"
    "中国のメーカーもその方向に進んでほしいと語った。",
    "もう一つの難題は技の継承だ。37軒の修理店のうち、半数以上の職人がすでに55歳を超えており、この"
    "仕事を学びたい若者は多くない。昨年、周さんは県の職業学校と組んで8週間の修理講座を開き、第1期"
    "には24人が参加し、そのうち6人が修了後に修理店で見習いとして働き始めた。",
    "県の市場監督部門も昨年、この「オンライン修理街」に注目した。周さんと一緒にサービス規約を作り、"
    "参加店には価格の明示と、直せなければ料金を取らないことを求め、保証期間は一律90日とした。現在"
    "までに29軒が規約に署名している。",
    "周さんが今いちばんやりたいのは、この仕組みを周辺のいくつかの県に広げることだ。彼女の計算では、"
    "一つの県城で20軒以上の修理店が参加し、地図を管理するボランティアが2人いれば、ミニプログラムの"
    "運営費は年間5000元に満たない。隣の県の大学生2人がすでに名乗りを上げ、今年の夏から街を回り"
    "始める予定だ。",
    "取材の終わりに、李さんはカウンターの下からブリキのビスケット缶を取り出した。中にはさまざまな型"
    "のネジやヒューズがぎっしり詰まっている。「他人から見ればガラクタでも、私には宝物なんです」。"
    "直そうとする人がいる限り、物はそう簡単にごみにはならず、この技も途絶えることはない、と彼は言う。",
]

# Two articles on one topic (things kept in use), published on the same site template.
TEMPLATE_ARTICLES = (
    (
        "社区工具屋：一把电钻一年被借了86次",
        "2025-03-08 10:00",
        [
            "在南城区柳巷社区的地下室里，有一间不到20平方米的工具屋，墙上挂满了电钻、梯子、扳手"
            "和缝纫机。居民只要在前台登记，就可以免费借走，三天之内归还。",
            "工具屋的发起人是退休的中学物理老师韩建国。他说，一把电钻平均一辈子只用十几分钟，每家"
            "每户都买一把，实在浪费。去年，工具屋里那把最旧的电钻一共被借了86次。",
            "工具屋的工具大多来自居民捐赠。有人搬家时留下了一整套木工工具，也有人把父亲用了三十年"
            "的台钳送了过来。韩老师给每件工具都贴上编号，记录它被借了多少次。",
            "借工具的人，常常顺便来问问怎么用。于是每周六下午，工具屋会开一堂小课，从换水龙头讲到"
            "装窗帘杆。报名的多是刚搬进社区的年轻夫妻。",
            "社区居委会为工具屋提供了场地和水电，每年的维护费用大约2000元，主要用来买钻头和砂纸。"
            "韩老师说，只要损坏的比捐来的少，工具屋就能一直开下去。",
            "如今，附近的三个社区也在筹备自己的工具屋。韩老师整理了一份借用登记表和安全须知，谁来"
            "要，他就给谁。",
        ],
    ),
    (
        "旧家具翻新工坊：老木头里的新生意",
        "2025-03-09 10:00",
        [
            "周五傍晚，东关老厂房里的木工坊还亮着灯。工坊主人沈佳怡正蹲在地上，用细砂纸一点点磨掉"
            "一只旧五斗柜上的老漆。",
            "这只柜子是一位老人送来的，它陪老人度过了四十多年，抽屉已经拉不动了。沈佳怡给它换了滑轨，"
            "补了裂缝，重新上了一层木蜡油，收费650元。",
            "五年前，沈佳怡还在一家家具厂做设计。她发现，很多人家里的实木家具并没有坏，只是样子旧了，"
            "最后却被当作垃圾拉走。她辞职租下了这间厂房，专门做旧家具翻新。",
            "工坊现在有四名师傅，每个月能翻新三十件左右的家具。订单里最多的是樟木箱和老式梳妆台，其次"
            "是小学教室里淘汰下来的课桌椅。",
            "翻新并不总是比买新的便宜。沈佳怡坦言，一件大衣柜的翻新费用有时超过两千元，但来找她的客人"
            "看重的是家具里的记忆，而不只是价格。",
            "她计划明年在工坊里开设周末课程，教市民自己动手给小板凳和木箱上漆。她说，学会修一件家具，"
            "人就会更舍不得丢掉它。",
        ],
    ),
)
# The tail the template's site puts inside every article body.
TEMPLATE_TAIL = (
    "本文为南城晚报网原创稿件，未经授权不得转载。欢迎关注南城晚报网微信公众号，获取更多南城本地"
    "新闻与生活服务信息。",
    "责任编辑：马小川",
)


def _first_sentence(paragraph: str) -> str:
    return paragraph[: paragraph.index("。") + 1]


# The digest's five teasers: the invented article, the two template articles, two others.
DIGEST_TEASERS = (
    (TITLE, _first_sentence(PARAGRAPHS[0])),
    *((title, _first_sentence(paragraphs[0])) for title, _, paragraphs in TEMPLATE_ARTICLES),
    (
        "春季招聘会下周开幕：120家企业带来3000个岗位",
        "下周三起，县人才市场将连续举办三天春季招聘会。",
    ),
    ("城西菜市场改造完工", "经过四个月的改造，城西菜市场于本周一重新开门迎客。"),
)

CHINA = dt.timezone(dt.timedelta(hours=8))
AUTHOR = "方小石"
EXCERPT_SHARE = 0.6


@dataclass(frozen=True)
class Account:
    """A WeChat official account: its nickname, gh_ id and __biz."""

    name: str
    user_name: str
    biz: str


@dataclass(frozen=True)
class Post:
    """One WeChat post: what the page's script variables and DOM carry."""

    title: str
    account: Account
    author: str | None
    published: dt.datetime
    mid: str
    sn: str
    paragraphs: list[str]
    original: bool = False
    card: Account | None = None


ACCOUNT_A = Account("青石山房", "gh_5a1c9e3b7d20", "MzI0NTExMjAwMQ==")
ACCOUNT_B = Account("山海城事", "gh_8e2f4a6c1b93", "MzU1NjIyMzAwMg==")
ACCOUNT_C = Account("慢读县城", "gh_2d7b0c5e9f14", "Mzg3NzMzNDAwMw==")
ACCOUNT_D = Account("县城早知道", "gh_6f3a8d1e2c57", "MzA5ODQ0NTAwNA==")


def at(text: str) -> dt.datetime:
    """A Beijing-time moment from "YYYY-MM-DD HH:MM"."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


def wechat_url(post: Post) -> str:
    """The canonical URL the cleaner makes of a post's msg_link."""
    return f"https://mp.weixin.qq.com/s?__biz={post.account.biz}&mid={post.mid}&idx=1&sn={post.sn}"


def _paragraphs_html(paragraphs: list[str]) -> str:
    return "\n".join(f'<p><span leaf="">{html.escape(p)}</span></p>' for p in paragraphs)


def _card_html(card: Account, author: str | None) -> str:
    """The reprint card above #js_content of a 转载 post."""
    by = f"<span>，作者{html.escape(author)}</span>" if author else ""
    return (
        '<div class="original_area_primary">\n'
        f'<p role="option" class="original_primary_card_tips"><span>以下文章来源于'
        f"{html.escape(card.name)}</span>{by}</p>\n"
        '<a class="weui-flex original_primary_card appmsg_card_context" href="#" '
        'id="copyright_info"><div class="weui-flex__item" role="option">'
        f'<strong class="original_primary_nickname">{html.escape(card.name)}</strong>'
        '<p class="original_primary_desc">一间小书房，写写身边的人和事。</p></div></a>\n'
        "</div>"
    )


def _meta_html(post: Post) -> str:
    logo = (
        '<span id="copyright_logo" class="rich_media_meta icon_appmsg_tag">原创</span>'
        if post.original
        else ""
    )
    author = (
        f'<span class="rich_media_meta rich_media_meta_text"><span id="js_author_name" '
        f'class="rich_media_meta_link">{html.escape(post.author)}</span></span>'
        if post.author
        else ""
    )
    return (
        f'<div id="meta_content" class="rich_media_meta_list">{logo}{author}'
        '<span class="rich_media_meta rich_media_meta_nickname" id="profileBt">'
        f'<a href="javascript:void(0);" id="js_name">{html.escape(post.account.name)}</a>'
        '</span><span id="meta_content_hide_info"><em id="publish_time" '
        'class="rich_media_meta rich_media_meta_text"></em></span></div>'
    )


def _script_html(post: Post) -> str:
    stat = "1" if post.original else ("2" if post.card else "0")
    source = (
        f'    var source_username = "{post.card.user_name}";\n'
        f'    var source_encode_biz = "{post.card.biz}";\n'
        if post.card
        else ""
    )
    link = wechat_url(post).replace("https://", "http://").replace("&", "&amp;")
    return (
        '<script type="text/javascript">\n'
        f'    var biz = "{post.account.biz}" || "";\n'
        f'    var mid = "{post.mid}" || "";\n'
        f'    var sn = "{post.sn}" || "";\n'
        f'    var user_name = "{post.account.user_name}";\n'
        '    var item_show_type = "0";\n'
        f'    var _copyright_stat = "{stat}";\n'
        f'    var copyright_stat = "{stat}" * 1;\n'
        f"{source}"
        f'    var nickname = htmlDecode("{post.account.name}");\n'
        f'    var author = "{post.author or ""}";\n'
        f'    var ct = "{int(post.published.timestamp())}";\n'
        f"    var msg_title = '{post.title}'.html(false);\n"
        f'    var msg_link = "{link}#rd";\n'
        "</script>"
    )


def wechat_page(post: Post) -> str:
    """A WeChat article page (js_article, js_content, script variables) with the account's
    own follow prompt after the body."""
    title = html.escape(post.title)
    card = _card_html(post.card, post.author) if post.card else ""
    prompt = f"长按识别二维码关注{html.escape(post.account.name)}"
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f'<title>{title}</title>\n<meta property="og:title" content="{title}">\n'
        f'<meta property="og:url" content="{html.escape(wechat_url(post))}">\n'
        '<meta property="og:site_name" content="微信公众平台">\n</head>\n'
        '<body id="activity-detail" class="zh_CN wx_wap_page">\n'
        '<div id="js_article" class="rich_media"><div id="js_base_container" '
        'class="rich_media_inner"><div id="page-content" class="rich_media_area_primary">'
        '<div id="img-content" class="rich_media_wrp">\n'
        f'<h1 class="rich_media_title " id="activity-name">{title}</h1>\n'
        f"{_meta_html(post)}\n{card}\n"
        '<div class="rich_media_content js_underline_content" id="js_content" '
        'style="visibility: hidden; opacity: 0; ">\n'
        f"{_paragraphs_html(post.paragraphs)}\n<p><br></p>\n"
        f'<section style="text-align: center;"><span leaf="">{prompt}</span></section>\n'
        '<section style="text-align: center;"><span leaf="">觉得有用，就点个在看吧</span>'
        "</section>\n</div>\n</div></div></div>\n"
        '<div id="js_pc_qr_code" class="qr_code_pc_outer" style="display:none;">'
        "<p>微信扫一扫<br>关注该公众号</p></div>\n</div>\n"
        f"{_script_html(post)}\n</body>\n</html>\n"
    )


def sohu_page(title: str, account: str, published: dt.datetime, url: str) -> str:
    """A sohu-like mirror of the article: keyword-suffixed <title>, the 搜狐号 box, its own
    statement, reading counter and two related-article lists."""
    when = published.strftime("%Y-%m-%d %H:%M")
    millis = int(published.timestamp() * 1000)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{html.escape(title)}_维修_小程序_县城</title>
<meta name="keywords" content="维修,小程序,县城">
<meta property="og:type" content="news">
<meta property="og:url" content="{url.removeprefix("https://")}">
<meta property="og:release_date" content="{when}">
<meta property="og:title" content="{html.escape(title)}_维修_小程序_县城">
<meta name="mediaid" content="{account}">
</head>
<body>
<div class="article-page">
  <div class="left-side">
    <div class="user-info" id="user-info" data-spm="author">
      <h4><a href="https://mp.sohu.com/profile?xpt=aW52ZW50ZWQteGljaHVhbg==">{account}</a></h4>
    </div>
  </div>
  <div class="left main">
    <div data-spm="content">
      <div class="text">
        <div class="text-title">
          <h1>{html.escape(title)}<span class="article-tag"></span></h1>
          <div class="article-info">
            <span class="time" id="news-time" data-val="{millis}">{when}</span>
            <div class="area"><span>发布于：</span><span>四川省</span></div>
          </div>
        </div>
        <article class="article" id="mp-editor">
{body}
          <p><a href="//www.sohu.com/?strategyid=00001" id="backsohucom"><span class="backword">\
<i class="backsohu"></i>返回搜狐，查看更多</span></a></p>
          <p data-role="editor-name">责任编辑：<span></span></p>
        </article>
        <div class="statement">平台声明：该文观点仅代表作者本人，搜狐号系信息发布平台，\
搜狐仅提供信息存储空间服务。</div>
        <div class="bottom-relate-wrap clear type-3">
          <div class="read-wrap"><span class="read-num">阅读 (<em data-role="pv">1.8万</em>)\
</span><a href="javascript:void(0)" class="report">内容举报</a></div>
        </div>
      </div>
    </div>
    <div class="more-article">
      <div class="title"><span>大家都在看</span></div>
      <ul>
        <li><a href="https://www.sohu.com/a/870000101_100000201">老街裁缝铺的最后一台缝纫机</a></li>
        <li><a href="https://www.sohu.com/a/870000102_100000202">二手家电回收价为什么越来越低</a></li>
        <li><a href="https://www.sohu.com/a/870000103_100000203">县城年轻人开始学修自行车</a></li>
      </ul>
    </div>
    <div class="god-article">
      <div class="title"><span><em class="ln"></em>推荐阅读</span></div>
      <a href="https://www.sohu.com/a/870000104_100000204" class="content-right">\
<h4>旧手机换电池，去哪里最划算</h4></a>
      <a href="https://www.sohu.com/a/870000105_100000205" class="content-right">\
<h4>电子垃圾的去向调查</h4></a>
    </div>
  </div>
</div>
</body>
</html>
"""


def markdown_dump(title: str, author: str, account: str, published: dt.datetime) -> str:
    """A wechatmp2markdown-style dump: `# title`, `author  account  date`, the paragraphs,
    the account's 推荐阅读 list and the scraper's capture footer."""
    lines = [f"#  {title}   ", f" {author}  {account}   {published:%Y-%m-%d %H:%M}  ", ""]
    for paragraph in PARAGRAPHS:
        lines += [f"{paragraph}  ", ""]
    biz = ACCOUNT_A.biz
    lines += [
        "**推荐阅读**  ",
        f"- [老街上的钟表匠](https://mp.weixin.qq.com/s?__biz={biz}&mid=2247480011&idx=1"
        "&sn=c0ffee01&scene=21#wechat_redirect)  ",
        "",
        f"- [一台缝纫机的四十年](https://mp.weixin.qq.com/s?__biz={biz}&mid=2247480012&idx=1"
        "&sn=c0ffee02&scene=21#wechat_redirect)  ",
        "",
        "---",
        "",
        "*本文抓取时间: 2025-04-02 14:05:31*",
        "",
    ]
    return "\n".join(lines)


def japanese_page(published: dt.date, url: str) -> str:
    """A Japanese translation on a Japanese site: the reprint header naming the account and
    author opens the content, the credits line closes it, then the site's own lists."""
    body = "\n".join(f"    <p>{html.escape(p)}</p>" for p in JA_PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{JA_TITLE} - アジア町工場通信</title>
<meta property="og:site_name" content="アジア町工場通信">
<meta property="og:title" content="{JA_TITLE}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{published.isoformat()}">
</head>
<body>
<div class="site-nav"><a href="/ja/">ホーム</a> \
<a href="/ja/newsletter">メールマガジンに登録</a></div>
<div class="article-wrap">
  <h1 class="entry-title">{JA_TITLE}</h1>
  <div class="entry-meta"><time datetime="{published.isoformat()}">\
{published.year}年{published.month}月{published.day}日</time></div>
  <div class="entry-content">
    <p>以下の記事は{ACCOUNT_A.name}からのもので、{AUTHOR}氏が執筆したものです。</p>
{body}
    <p>著者:{AUTHOR} 転載元:{ACCOUNT_A.name} 翻訳:高橋みどり</p>
    <h3>関連資料</h3>
    <p><a href="/ja/articles/2025/02/sewing">路地裏の仕立て屋、最後のミシン</a></p>
    <h3>アジア町工場通信の紹介</h3>
    <p>アジア町工場通信は、中国語圏の町工場や職人の記事を日本語で紹介するメディアです。</p>
    <h3>関連するおすすめ記事</h3>
    <ul>
      <li><a href="/ja/articles/2025/01/bicycle">県城の若者が自転車修理を学び始めた</a></li>
      <li><a href="/ja/articles/2024/12/e-waste">電子ごみはどこへ行くのか</a></li>
    </ul>
  </div>
</div>
<footer><p>Copyright © アジア町工場通信 All Rights Reserved.</p></footer>
</body>
</html>
"""


def template_page(title: str, published: dt.datetime, paragraphs: list[str], url: str) -> str:
    """A page of the 南城晚报网 template: the same header, sidebar, boilerplate tail and
    footer around each article's own body."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in [*paragraphs, *TEMPLATE_TAIL])
    hot = "".join(
        f'<li><a href="https://www.nancheng-wb.example/news/{n}.html">{t}</a></li>'
        for n, t in enumerate(
            ("南城地铁三号线今日试运行", "春季花展本周末开幕", "老城区停车位新增800个"),
            start=5100,
        )
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{html.escape(title)}_南城晚报网</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="南城晚报网">
<meta property="article:published_time" content="{published.isoformat()}">
</head>
<body>
<div class="header"><a href="/">南城晚报网</a> <a href="/news/">本地新闻</a> \
<a href="/life/">生活服务</a> <a href="/app/">下载客户端</a></div>
<div class="crumb">当前位置：首页 &gt; 本地新闻 &gt; 社区</div>
<div class="main">
  <div class="article">
    <h1>{html.escape(title)}</h1>
    <div class="info">来源：南城晚报网 \
<span class="time">{published:%Y-%m-%d %H:%M}</span></div>
    <div class="content" id="article-content">
{body}
    </div>
  </div>
  <div class="sidebar"><h3>热门排行</h3><ul>{hot}</ul></div>
</div>
<div class="footer">南城晚报网版权所有 · 违法和不良信息举报电话：0000-12345678</div>
</body>
</html>
"""


def digest_post() -> Post:
    """One account's daily digest: five teasers (title and first sentence) of other articles,
    the invented article among them."""
    paragraphs = ["早上好，今天是3月16日，星期日。以下是今日五条："]
    for number, (title, first) in enumerate(DIGEST_TEASERS, start=1):
        paragraphs += [f"{number}. {title}", first, "（阅读全文请点击文末链接）"]
    return Post(
        "早知道｜3月16日 今日五条",
        ACCOUNT_D,
        None,
        at("2025-03-16 07:00"),
        "2247500301",
        "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6",
        paragraphs,
    )


def copy_posts() -> dict[str, Post]:
    """The three WeChat copies: A's original, B's carded reprint, C's 60% excerpt."""
    excerpt = PARAGRAPHS[: round(len(PARAGRAPHS) * EXCERPT_SHARE)]
    return {
        "original": Post(
            TITLE, ACCOUNT_A, AUTHOR, at("2025-03-10 08:00"), "2247490101",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90", PARAGRAPHS, original=True,
        ),
        "reprint": Post(
            TITLE, ACCOUNT_B, AUTHOR, at("2025-03-11 12:30"), "2247511202",
            "b2c3d4e5f60718293a4b5c6d7e8f90a1", PARAGRAPHS, card=ACCOUNT_A,
        ),
        "excerpt": Post(
            TITLE, ACCOUNT_C, None, at("2025-03-13 19:45"), "2247522303",
            "c3d4e5f60718293a4b5c6d7e8f90a1b2", excerpt,
        ),
    }  # fmt: skip


SOHU_URL = "https://www.sohu.com/a/871234567_121000222"
JA_URL = "https://asia-machikouba.example/ja/articles/2025/03/repair-map"
TEMPLATE_URLS = (
    "https://www.nancheng-wb.example/news/5188.html",
    "https://www.nancheng-wb.example/news/5203.html",
)

# The file each page is written to; the role each copy of the work should get.
FILES = {
    "original": "a_original.html",
    "reprint": "b_reprint.html",
    "mirror": "sohu_mirror.html",
    "dump": "a_dump.txt",
    "excerpt": "c_excerpt.html",
    "translation": "ja_translation.html",
    "template_1": "template_tools.html",
    "template_2": "template_furniture.html",
    "digest": "d_digest.html",
}
COPIES = ("original", "reprint", "mirror", "dump", "excerpt", "translation")


def page_texts() -> dict[str, str]:
    """Every page, by its name in FILES."""
    texts = {name: wechat_page(post) for name, post in copy_posts().items()}
    texts["mirror"] = sohu_page(TITLE, "西川资讯网", at("2025-03-10 15:20"), SOHU_URL)
    texts["dump"] = markdown_dump(TITLE, AUTHOR, ACCOUNT_A.name, at("2025-03-10 08:00"))
    texts["translation"] = japanese_page(dt.date(2025, 3, 15), JA_URL)
    for number, ((title, when, paragraphs), url) in enumerate(
        zip(TEMPLATE_ARTICLES, TEMPLATE_URLS, strict=True), start=1
    ):
        texts[f"template_{number}"] = template_page(title, at(when), paragraphs, url)
    texts["digest"] = wechat_page(digest_post())
    return texts


def write_pages(folder: Path, names: tuple[str, ...] | None = None) -> dict[str, Path]:
    """Write the pages named (all by default) into `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in page_texts().items():
        if names is None or name in names:
            paths[name] = folder / FILES[name]
            paths[name].write_text(text, encoding="utf-8")
    return paths
