var ee=globalThis,te=ee.ShadowRoot&&(ee.ShadyCSS===void 0||ee.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ce=Symbol(),Fe=new WeakMap,B=class{constructor(s,e,t){if(this._$cssResult$=!0,t!==ce)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=s,this.t=e}get styleSheet(){let s=this.o,e=this.t;if(te&&s===void 0){let t=e!==void 0&&e.length===1;t&&(s=Fe.get(e)),s===void 0&&((this.o=s=new CSSStyleSheet).replaceSync(this.cssText),t&&Fe.set(e,s))}return s}toString(){return this.cssText}},Ue=r=>new B(typeof r=="string"?r:r+"",void 0,ce),P=(r,...s)=>{let e=r.length===1?r[0]:s.reduce((t,i,o)=>t+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[o+1],r[0]);return new B(e,r,ce)},je=(r,s)=>{if(te)r.adoptedStyleSheets=s.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of s){let t=document.createElement("style"),i=ee.litNonce;i!==void 0&&t.setAttribute("nonce",i),t.textContent=e.cssText,r.appendChild(t)}},pe=te?r=>r:r=>r instanceof CSSStyleSheet?(s=>{let e="";for(let t of s.cssRules)e+=t.cssText;return Ue(e)})(r):r;var{is:vt,defineProperty:_t,getOwnPropertyDescriptor:bt,getOwnPropertyNames:yt,getOwnPropertySymbols:$t,getPrototypeOf:wt}=Object,se=globalThis,Ge=se.trustedTypes,kt=Ge?Ge.emptyScript:"",xt=se.reactiveElementPolyfillSupport,W=(r,s)=>r,ue={toAttribute(r,s){switch(s){case Boolean:r=r?kt:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,s){let e=r;switch(s){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},Be=(r,s)=>!vt(r,s),ze={attribute:!0,type:String,converter:ue,reflect:!1,useDefault:!1,hasChanged:Be};Symbol.metadata??=Symbol("metadata"),se.litPropertyMetadata??=new WeakMap;var S=class extends HTMLElement{static addInitializer(s){this._$Ei(),(this.l??=[]).push(s)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(s,e=ze){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(s)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(s,e),!e.noAccessor){let t=Symbol(),i=this.getPropertyDescriptor(s,t,e);i!==void 0&&_t(this.prototype,s,i)}}static getPropertyDescriptor(s,e,t){let{get:i,set:o}=bt(this.prototype,s)??{get(){return this[e]},set(n){this[e]=n}};return{get:i,set(n){let l=i?.call(this);o?.call(this,n),this.requestUpdate(s,l,t)},configurable:!0,enumerable:!0}}static getPropertyOptions(s){return this.elementProperties.get(s)??ze}static _$Ei(){if(this.hasOwnProperty(W("elementProperties")))return;let s=wt(this);s.finalize(),s.l!==void 0&&(this.l=[...s.l]),this.elementProperties=new Map(s.elementProperties)}static finalize(){if(this.hasOwnProperty(W("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(W("properties"))){let e=this.properties,t=[...yt(e),...$t(e)];for(let i of t)this.createProperty(i,e[i])}let s=this[Symbol.metadata];if(s!==null){let e=litPropertyMetadata.get(s);if(e!==void 0)for(let[t,i]of e)this.elementProperties.set(t,i)}this._$Eh=new Map;for(let[e,t]of this.elementProperties){let i=this._$Eu(e,t);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(s){let e=[];if(Array.isArray(s)){let t=new Set(s.flat(1/0).reverse());for(let i of t)e.unshift(pe(i))}else s!==void 0&&e.push(pe(s));return e}static _$Eu(s,e){let t=e.attribute;return t===!1?void 0:typeof t=="string"?t:typeof s=="string"?s.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(s=>this.enableUpdating=s),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(s=>s(this))}addController(s){(this._$EO??=new Set).add(s),this.renderRoot!==void 0&&this.isConnected&&s.hostConnected?.()}removeController(s){this._$EO?.delete(s)}_$E_(){let s=new Map,e=this.constructor.elementProperties;for(let t of e.keys())this.hasOwnProperty(t)&&(s.set(t,this[t]),delete this[t]);s.size>0&&(this._$Ep=s)}createRenderRoot(){let s=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return je(s,this.constructor.elementStyles),s}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(s=>s.hostConnected?.())}enableUpdating(s){}disconnectedCallback(){this._$EO?.forEach(s=>s.hostDisconnected?.())}attributeChangedCallback(s,e,t){this._$AK(s,t)}_$ET(s,e){let t=this.constructor.elementProperties.get(s),i=this.constructor._$Eu(s,t);if(i!==void 0&&t.reflect===!0){let o=(t.converter?.toAttribute!==void 0?t.converter:ue).toAttribute(e,t.type);this._$Em=s,o==null?this.removeAttribute(i):this.setAttribute(i,o),this._$Em=null}}_$AK(s,e){let t=this.constructor,i=t._$Eh.get(s);if(i!==void 0&&this._$Em!==i){let o=t.getPropertyOptions(i),n=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:ue;this._$Em=i;let l=n.fromAttribute(e,o.type);this[i]=l??this._$Ej?.get(i)??l,this._$Em=null}}requestUpdate(s,e,t,i=!1,o){if(s!==void 0){let n=this.constructor;if(i===!1&&(o=this[s]),t??=n.getPropertyOptions(s),!((t.hasChanged??Be)(o,e)||t.useDefault&&t.reflect&&o===this._$Ej?.get(s)&&!this.hasAttribute(n._$Eu(s,t))))return;this.C(s,e,t)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(s,e,{useDefault:t,reflect:i,wrapped:o},n){t&&!(this._$Ej??=new Map).has(s)&&(this._$Ej.set(s,n??e??this[s]),o!==!0||n!==void 0)||(this._$AL.has(s)||(this.hasUpdated||t||(e=void 0),this._$AL.set(s,e)),i===!0&&this._$Em!==s&&(this._$Eq??=new Set).add(s))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let s=this.scheduleUpdate();return s!=null&&await s,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,o]of this._$Ep)this[i]=o;this._$Ep=void 0}let t=this.constructor.elementProperties;if(t.size>0)for(let[i,o]of t){let{wrapped:n}=o,l=this[i];n!==!0||this._$AL.has(i)||l===void 0||this.C(i,void 0,o,l)}}let s=!1,e=this._$AL;try{s=this.shouldUpdate(e),s?(this.willUpdate(e),this._$EO?.forEach(t=>t.hostUpdate?.()),this.update(e)):this._$EM()}catch(t){throw s=!1,this._$EM(),t}s&&this._$AE(e)}willUpdate(s){}_$AE(s){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(s)),this.updated(s)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(s){return!0}update(s){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(s){}firstUpdated(s){}};S.elementStyles=[],S.shadowRootOptions={mode:"open"},S[W("elementProperties")]=new Map,S[W("finalized")]=new Map,xt?.({ReactiveElement:S}),(se.reactiveElementVersions??=[]).push("2.1.2");var be=globalThis,We=r=>r,ie=be.trustedTypes,Ke=ie?ie.createPolicy("lit-html",{createHTML:r=>r}):void 0,et="$lit$",R=`lit$${Math.random().toFixed(9).slice(2)}$`,tt="?"+R,Pt=`<${tt}>`,N=document,Q=()=>N.createComment(""),Y=r=>r===null||typeof r!="object"&&typeof r!="function",ye=Array.isArray,At=r=>ye(r)||typeof r?.[Symbol.iterator]=="function",me=`[ 	
\f\r]`,K=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Qe=/-->/g,Ye=/>/g,L=RegExp(`>|${me}(?:([^\\s"'>=/]+)(${me}*=${me}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Ze=/'/g,Je=/"/g,st=/^(?:script|style|textarea|title)$/i,$e=r=>(s,...e)=>({_$litType$:r,strings:s,values:e}),a=$e(1),Kt=$e(2),Qt=$e(3),M=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),Xe=new WeakMap,H=N.createTreeWalker(N,129);function it(r,s){if(!ye(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Ke!==void 0?Ke.createHTML(s):s}var Et=(r,s)=>{let e=r.length-1,t=[],i,o=s===2?"<svg>":s===3?"<math>":"",n=K;for(let l=0;l<e;l++){let c=r[l],h,v,g=-1,C=0;for(;C<c.length&&(n.lastIndex=C,v=n.exec(c),v!==null);)C=n.lastIndex,n===K?v[1]==="!--"?n=Qe:v[1]!==void 0?n=Ye:v[2]!==void 0?(st.test(v[2])&&(i=RegExp("</"+v[2],"g")),n=L):v[3]!==void 0&&(n=L):n===L?v[0]===">"?(n=i??K,g=-1):v[1]===void 0?g=-2:(g=n.lastIndex-v[2].length,h=v[1],n=v[3]===void 0?L:v[3]==='"'?Je:Ze):n===Je||n===Ze?n=L:n===Qe||n===Ye?n=K:(n=L,i=void 0);let O=n===L&&r[l+1].startsWith("/>")?" ":"";o+=n===K?c+Pt:g>=0?(t.push(h),c.slice(0,g)+et+c.slice(g)+R+O):c+R+(g===-2?l:O)}return[it(r,o+(r[e]||"<?>")+(s===2?"</svg>":s===3?"</math>":"")),t]},Z=class r{constructor({strings:s,_$litType$:e},t){let i;this.parts=[];let o=0,n=0,l=s.length-1,c=this.parts,[h,v]=Et(s,e);if(this.el=r.createElement(h,t),H.currentNode=this.el.content,e===2||e===3){let g=this.el.content.firstChild;g.replaceWith(...g.childNodes)}for(;(i=H.nextNode())!==null&&c.length<l;){if(i.nodeType===1){if(i.hasAttributes())for(let g of i.getAttributeNames())if(g.endsWith(et)){let C=v[n++],O=i.getAttribute(g).split(R),X=/([.?@])?(.*)/.exec(C);c.push({type:1,index:o,name:X[2],strings:O,ctor:X[1]==="."?fe:X[1]==="?"?ge:X[1]==="@"?ve:G}),i.removeAttribute(g)}else g.startsWith(R)&&(c.push({type:6,index:o}),i.removeAttribute(g));if(st.test(i.tagName)){let g=i.textContent.split(R),C=g.length-1;if(C>0){i.textContent=ie?ie.emptyScript:"";for(let O=0;O<C;O++)i.append(g[O],Q()),H.nextNode(),c.push({type:2,index:++o});i.append(g[C],Q())}}}else if(i.nodeType===8)if(i.data===tt)c.push({type:2,index:o});else{let g=-1;for(;(g=i.data.indexOf(R,g+1))!==-1;)c.push({type:7,index:o}),g+=R.length-1}o++}}static createElement(s,e){let t=N.createElement("template");return t.innerHTML=s,t}};function j(r,s,e=r,t){if(s===M)return s;let i=t!==void 0?e._$Co?.[t]:e._$Cl,o=Y(s)?void 0:s._$litDirective$;return i?.constructor!==o&&(i?._$AO?.(!1),o===void 0?i=void 0:(i=new o(r),i._$AT(r,e,t)),t!==void 0?(e._$Co??=[])[t]=i:e._$Cl=i),i!==void 0&&(s=j(r,i._$AS(r,s.values),i,t)),s}var he=class{constructor(s,e){this._$AV=[],this._$AN=void 0,this._$AD=s,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(s){let{el:{content:e},parts:t}=this._$AD,i=(s?.creationScope??N).importNode(e,!0);H.currentNode=i;let o=H.nextNode(),n=0,l=0,c=t[0];for(;c!==void 0;){if(n===c.index){let h;c.type===2?h=new J(o,o.nextSibling,this,s):c.type===1?h=new c.ctor(o,c.name,c.strings,this,s):c.type===6&&(h=new _e(o,this,s)),this._$AV.push(h),c=t[++l]}n!==c?.index&&(o=H.nextNode(),n++)}return H.currentNode=N,i}p(s){let e=0;for(let t of this._$AV)t!==void 0&&(t.strings!==void 0?(t._$AI(s,t,e),e+=t.strings.length-2):t._$AI(s[e])),e++}},J=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(s,e,t,i){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=s,this._$AB=e,this._$AM=t,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let s=this._$AA.parentNode,e=this._$AM;return e!==void 0&&s?.nodeType===11&&(s=e.parentNode),s}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(s,e=this){s=j(this,s,e),Y(s)?s===d||s==null||s===""?(this._$AH!==d&&this._$AR(),this._$AH=d):s!==this._$AH&&s!==M&&this._(s):s._$litType$!==void 0?this.$(s):s.nodeType!==void 0?this.T(s):At(s)?this.k(s):this._(s)}O(s){return this._$AA.parentNode.insertBefore(s,this._$AB)}T(s){this._$AH!==s&&(this._$AR(),this._$AH=this.O(s))}_(s){this._$AH!==d&&Y(this._$AH)?this._$AA.nextSibling.data=s:this.T(N.createTextNode(s)),this._$AH=s}$(s){let{values:e,_$litType$:t}=s,i=typeof t=="number"?this._$AC(s):(t.el===void 0&&(t.el=Z.createElement(it(t.h,t.h[0]),this.options)),t);if(this._$AH?._$AD===i)this._$AH.p(e);else{let o=new he(i,this),n=o.u(this.options);o.p(e),this.T(n),this._$AH=o}}_$AC(s){let e=Xe.get(s.strings);return e===void 0&&Xe.set(s.strings,e=new Z(s)),e}k(s){ye(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,t,i=0;for(let o of s)i===e.length?e.push(t=new r(this.O(Q()),this.O(Q()),this,this.options)):t=e[i],t._$AI(o),i++;i<e.length&&(this._$AR(t&&t._$AB.nextSibling,i),e.length=i)}_$AR(s=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);s!==this._$AB;){let t=We(s).nextSibling;We(s).remove(),s=t}}setConnected(s){this._$AM===void 0&&(this._$Cv=s,this._$AP?.(s))}},G=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(s,e,t,i,o){this.type=1,this._$AH=d,this._$AN=void 0,this.element=s,this.name=e,this._$AM=i,this.options=o,t.length>2||t[0]!==""||t[1]!==""?(this._$AH=Array(t.length-1).fill(new String),this.strings=t):this._$AH=d}_$AI(s,e=this,t,i){let o=this.strings,n=!1;if(o===void 0)s=j(this,s,e,0),n=!Y(s)||s!==this._$AH&&s!==M,n&&(this._$AH=s);else{let l=s,c,h;for(s=o[0],c=0;c<o.length-1;c++)h=j(this,l[t+c],e,c),h===M&&(h=this._$AH[c]),n||=!Y(h)||h!==this._$AH[c],h===d?s=d:s!==d&&(s+=(h??"")+o[c+1]),this._$AH[c]=h}n&&!i&&this.j(s)}j(s){s===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,s??"")}},fe=class extends G{constructor(){super(...arguments),this.type=3}j(s){this.element[this.name]=s===d?void 0:s}},ge=class extends G{constructor(){super(...arguments),this.type=4}j(s){this.element.toggleAttribute(this.name,!!s&&s!==d)}},ve=class extends G{constructor(s,e,t,i,o){super(s,e,t,i,o),this.type=5}_$AI(s,e=this){if((s=j(this,s,e,0)??d)===M)return;let t=this._$AH,i=s===d&&t!==d||s.capture!==t.capture||s.once!==t.once||s.passive!==t.passive,o=s!==d&&(t===d||i);i&&this.element.removeEventListener(this.name,this,t),o&&this.element.addEventListener(this.name,this,s),this._$AH=s}handleEvent(s){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,s):this._$AH.handleEvent(s)}},_e=class{constructor(s,e,t){this.element=s,this.type=6,this._$AN=void 0,this._$AM=e,this.options=t}get _$AU(){return this._$AM._$AU}_$AI(s){j(this,s)}};var Ct=be.litHtmlPolyfillSupport;Ct?.(Z,J),(be.litHtmlVersions??=[]).push("3.3.3");var ot=(r,s,e)=>{let t=e?.renderBefore??s,i=t._$litPart$;if(i===void 0){let o=e?.renderBefore??null;t._$litPart$=i=new J(s.insertBefore(Q(),o),o,void 0,e??{})}return i._$AI(r),i};var we=globalThis,b=class extends S{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let s=super.createRenderRoot();return this.renderOptions.renderBefore??=s.firstChild,s}update(s){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(s),this._$Do=ot(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return M}};b._$litElement$=!0,b.finalized=!0,we.litElementHydrateSupport?.({LitElement:b});var St=we.litElementPolyfillSupport;St?.({LitElement:b});(we.litElementVersions??=[]).push("4.2.2");function A(r){if(r&&typeof r=="object"&&"message"in r){let s=r.message;if(typeof s=="string"&&s)return s}return r&&typeof r=="object"&&"code"in r?String(r.code):String(r)}var ke="community_access/";async function nt(r){return(await r.callWS({type:`${ke}panels`})).communities}function rt(r){let s={};for(let[e,t]of Object.entries(r))t!=null&&t!==""&&(s[e]=t);return s}var oe=class{constructor(s,e){this.hass=s;this.entryId=e;this.today=()=>this.call("office/today");this.households=s=>this.call("office/households",s);this.household=s=>this.call("office/household",{unit:s});this.addHousehold=(s,e)=>this.call("office/add_household",{unit:s,card_quota:e});this.addPerson=s=>this.call("office/add_person",s);this.updatePerson=s=>this.call("office/update_person",s);this.setPersonStatus=(s,e)=>this.call("office/set_person_status",{person_id:s,status:e});this.issueCard=s=>this.call("office/issue_card",s);this.reportCardLost=s=>this.call("office/report_card_lost",{credential_id:s});this.reissueCard=(s,e,t)=>this.call("office/reissue_card",{credential_id:s,card_number:e,fee:t});this.returnCard=(s,e)=>this.call("office/return_card",{credential_id:s,damaged:e});this.addCredential=s=>this.call("office/add_credential",s);this.revokeCredential=s=>this.call("office/revoke_credential",{credential_id:s});this.moveOutPreview=s=>this.call("office/move_out_preview",{unit:s});this.moveOut=(s,e)=>this.call("office/move_out",{unit:s,returned_card_ids:e});this.visits=s=>this.call("office/visits",s);this.approveVisit=s=>this.call("office/approve_visit",{visit_id:s});this.denyVisit=s=>this.call("office/deny_visit",{visit_id:s});this.officePreregister=s=>this.call("office/preregister_visitor",s);this.watchlist=s=>this.call("office/watchlist",s);this.barVisitor=s=>this.call("office/bar_visitor",s);this.unbarVisitor=s=>this.call("office/unbar_visitor",{watch_id:s});this.notices=s=>this.call("office/notices",s);this.violations=s=>this.call("office/violations",s);this.recordViolation=s=>this.call("office/record_violation",s);this.penalties=s=>this.call("office/penalties",s);this.applyPenalty=s=>this.call("office/apply_penalty",s);this.liftPenalty=s=>this.call("office/lift_penalty",{penalty_id:s});this.commendations=s=>this.call("office/commendations",s);this.recordCommendation=s=>this.call("office/record_commendation",s);this.peopleSearch=(s,e=20)=>this.call("office/people_search",{query:s,limit:e});this.accessLog=s=>this.call("office/access_log",{...s});this.accessLogCsv=(s,e)=>this.call("office/access_log_csv",{...s,full_names:e});this.devices=()=>this.call("office/devices");this.openDoor=s=>this.call("office/open_door",{door_id:s});this.resyncLock=s=>this.call("office/resync_lock",{door_id:s});this.captureCard=(s,e)=>this.subscribe("office/capture_card",{door_id:s},e);this.osdpLines=()=>this.call("office/osdp_lines");this.osdpPair=s=>this.call("office/osdp_pair",s);this.importCsv=(s,e)=>this.call("office/import_csv",{csv_base64:s,dry_run:e});this.exportCsv=()=>this.call("office/export_csv");this.csvTemplate=()=>this.call("office/csv_template");this.gateOverview=()=>this.call("gate/overview");this.registerVisitor=s=>this.call("gate/register_visitor",s);this.checkIn=s=>this.call("gate/check_in",s);this.checkOut=(s,e)=>this.call("gate/check_out",{visit_id:s,card_returned:e});this.guardVerifiedEntry=(s,e,t)=>this.call("gate/guard_verified_entry",{door_id:s,person_id:e,note:t});this.gatePeopleSearch=s=>this.call("gate/people_search",{query:s});this.gateAlarms=()=>this.call("gate/alarms");this.acknowledgeAlarm=(s,e)=>this.call("gate/acknowledge_alarm",{alarm_id:s,note:e});this.verifyGoodsPass=(s,e)=>this.call("gate/verify_goods_pass",{code:s,door_id:e});this.inspectGoods=s=>this.call("gate/inspect_goods",s);this.homeOverview=s=>this.call("home/overview",{unit:s});this.homeAccess=(s,e)=>this.call("home/access",{unit:s,...e});this.homeApprove=(s,e)=>this.call("home/approve_visit",{unit:s,visit_id:e});this.homeDeny=(s,e)=>this.call("home/deny_visit",{unit:s,visit_id:e});this.preregister=s=>this.call("home/preregister_visitor",s);this.homeNotices=s=>this.call("home/notices",{unit:s});this.homeReportLost=(s,e)=>this.call("home/report_card_lost",{unit:s,credential_id:e});this.issueGoodsPass=s=>this.call("home/issue_goods_pass",s)}call(s,e={}){return this.hass.callWS({...rt(e),type:ke+s,entry_id:this.entryId,language:this.hass.language})}subscribe(s,e,t){return this.hass.connection.subscribeMessage(t,{...rt(e),type:ke+s,entry_id:this.entryId,language:this.hass.language})}};var E=P`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, "Noto Sans SC", sans-serif));
    font-size: 14px;
  }
  .card {
    background: var(--card-background-color, var(--ha-card-background, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
    margin: 0 0 16px;
  }
  .card h2,
  .card h3 {
    margin: 0 0 12px;
    font-size: 18px;
    font-weight: 500;
  }
  .card h3 {
    font-size: 16px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .spacer {
    flex: 1;
  }
  .muted {
    color: var(--secondary-text-color);
  }
  .error {
    color: var(--error-color, #db4437);
  }
  .ok {
    color: var(--success-color, #43a047);
  }
  .banner {
    border-left: 4px solid var(--error-color, #db4437);
    background: var(--secondary-background-color, rgba(0, 0, 0, 0.04));
    padding: 8px 12px;
    margin: 0 0 12px;
    border-radius: 4px;
  }
  .banner.info {
    border-left-color: var(--primary-color);
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 4px;
    padding: 6px 12px;
    min-height: 36px;
    border: 1px solid var(--primary-color);
    background: transparent;
    color: var(--primary-color);
  }
  button.primary {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button.primary.danger {
    background: var(--error-color, #db4437);
    color: var(--text-primary-color, #fff);
  }
  button.link {
    border: none;
    padding: 0;
    min-height: 0;
    text-decoration: underline;
    background: none;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--card-background-color, transparent));
    border: 1px solid var(--input-idle-line-color, var(--divider-color, #ccc));
    border-radius: 4px;
    padding: 6px 8px;
    min-height: 36px;
    box-sizing: border-box;
  }
  input[type="checkbox"] {
    min-height: 0;
    accent-color: var(--primary-color);
  }
  input:focus,
  select:focus,
  textarea:focus {
    outline: 2px solid var(--primary-color);
    outline-offset: -1px;
  }
  label.field {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  label.check {
    display: inline-flex;
    gap: 6px;
    align-items: center;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    padding: 8px;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    vertical-align: top;
  }
  th {
    color: var(--secondary-text-color);
    font-weight: 500;
    font-size: 12px;
  }
  tr.clickable {
    cursor: pointer;
  }
  tr.clickable:hover {
    background: var(--secondary-background-color, rgba(0, 0, 0, 0.04));
  }
  .stacked tr {
    display: block;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    padding: 8px 0;
  }
  .stacked thead {
    display: none;
  }
  .stacked td {
    display: flex;
    gap: 8px;
    border: none;
    padding: 2px 8px;
  }
  .stacked td::before {
    content: attr(data-label);
    color: var(--secondary-text-color);
    min-width: 40%;
    flex-shrink: 0;
  }
  .chip {
    display: inline-block;
    padding: 2px 8px;
    border-radius: 10px;
    font-size: 12px;
    background: var(--secondary-background-color, rgba(0, 0, 0, 0.06));
  }
  .chip.good {
    color: var(--success-color, #43a047);
  }
  .chip.bad {
    color: var(--error-color, #db4437);
  }
  .chip.warn {
    color: var(--warning-color, #ffa600);
  }
  .tabs {
    display: flex;
    gap: 4px;
    overflow-x: auto;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    margin-bottom: 16px;
  }
  .tabs button {
    border: none;
    border-radius: 0;
    border-bottom: 2px solid transparent;
    color: var(--secondary-text-color);
    white-space: nowrap;
  }
  .tabs button[aria-selected="true"] {
    color: var(--primary-color);
    border-bottom-color: var(--primary-color);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
    gap: 12px;
  }
  .stat {
    text-align: start;
    display: flex;
    flex-direction: column;
    gap: 4px;
    padding: 12px;
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: var(--ha-card-border-radius, 12px);
    color: var(--primary-text-color);
    background: var(--card-background-color, #fff);
  }
  .stat .n {
    font-size: 28px;
    color: var(--primary-color);
  }
  .stat.alert .n {
    color: var(--error-color, #db4437);
  }
  .form {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
    gap: 12px;
    align-items: end;
  }
`;var re={"panel.office":"Community office","panel.gate":"Gate desk","panel.home":"My home","panel.menu":"Menu","panel.community":"Community","panel.no_community":"You have no role in any community for this page.","panel.no_home":"Your account is not linked to a household. Ask the property office to link it.","common.actions":"Actions","common.add":"Add","common.all":"All","common.back":"Back","common.cancel":"Cancel","common.edit":"Edit","common.live":"Live","common.loading":"Loading…","common.next":"Next","common.none":"Nothing to show.","common.offline":"Not live","common.open":"Open","common.previous":"Previous","common.range":"{first}–{last} of {total}","common.refresh":"Refresh","common.save":"Save","common.status":"Status","common.valid_from":"Valid from","common.valid_until":"Valid until","office.tab.today":"Today","office.tab.households":"Households","office.tab.visitors":"Visitors","office.tab.rules":"Rules","office.tab.access":"Access log","office.tab.devices":"Devices","office.tab.import":"Import and export","today.granted":"Entries today","today.denied":"Denials today","today.on_site":"Visitors on site","today.pending":"Waiting for approval","today.overdue":"Overdue visitor cards","today.open_violations":"Open violations","today.suspended":"Suspended people","today.devices_offline":"Devices offline","today.lock_sync_problems":"Lock code problems","today.latest":"Latest access","households.add":"Add household","households.added":"Household {unit} added.","households.card_quota":"Card quota","households.cards":"Cards","households.include_moved_out":"Include moved out","households.links":"Linked users and phones","households.moved_out":"Moved out","households.occupied":"Occupied","households.people":"People","households.search":"Search unit or name","households.unit":"Unit","households.unit_hint":"Building-entrance-room, e.g. 3-2-501","person.add":"Add person","person.add_to":"Add a person to {unit}","person.edit":"Edit {name}","person.id_number":"ID number","person.keep_hint":"Now {masked}; leave empty to keep it","person.name":"Name","person.phone":"Phone","person.reactivate":"Reactivate","person.reactivate_confirm":"Let {name} in again?","person.role":"Role","person.suspend":"Suspend","person.suspend_confirm":"Suspend {name}? Their credentials stop opening doors at once.","card.damaged":"The card is damaged (the deposit is kept)","card.deposit":"Deposit (yuan)","card.fee":"Reissue fee (yuan)","card.issue":"Issue card","card.issue_to":"Issue a card to {name}","card.new_number":"New card number","card.number":"Card number","card.number_hint":"Type the number printed on the card, or read it with a desk reader","card.reissue":"Reissue","card.reissue_message":"A new card replaces the lost card {masked}.","card.report_lost":"Report lost","card.report_lost_confirm":"Report card {masked} lost? It is blocked at once.","card.return":"Return card","card.return_message":"Card {masked} is handed back. Deposit: {deposit}.","credential.add":"Add credential","credential.add_to":"Add a credential for {name}","credential.kind":"Kind","credential.masked":"Credential","credential.revoke":"Revoke","credential.revoke_confirm":"Revoke {kind} {masked}? It stops opening doors at once.","credential.value":"Value","credential.value_hint":"The PIN, template id or plate; it is stored hashed and never shown again","credentials.title":"Credentials","moveout.button":"Move out","moveout.confirm":"Move out","moveout.done":"Household {unit} moved out.","moveout.kept":"Credentials without a deposit to refund: {count}.","moveout.no_refunds":"No deposit to refund.","moveout.refunds":"Cards with a deposit: {count}, {total} in all.","moveout.returned":"Card {masked} handed back: refund {deposit}","moveout.summary":"People moving out: {people}. Every credential of the household stops working.","moveout.tick":"Untick a card that was not handed back: its deposit is kept.","moveout.title":"Move out of {unit}","statement.amount":"Amount","statement.at":"Date","statement.balance":"Balance","statement.deposits_held":"Deposits held","statement.kind":"Entry","statement.note":"Note","statement.title":"Statement","visit.approve":"Approve","visit.approve_confirm":"Let {name} in to visit {unit}?","visit.deny":"Deny","visit.deny_confirm":"Refuse the visit of {name} to {unit}?","visit.pass":"Pass","visit.registered":"Registered","visit.visitor":"Visitor","visit.window":"Time window","rules.active_only":"In force only","rules.amount":"Fine (yuan)","rules.apply":"Apply penalty","rules.apply_for":"{kind} by {person}","rules.commend":"Record commendation","rules.commend_hint":"Good deeds worth a word of thanks: returning lost property, helping a neighbour, reporting a fault.","rules.commendations":"Commendations","rules.commended":"Commendation recorded.","rules.days":"Days","rules.in_force":"In force","rules.kind":"Violation","rules.lift":"Lift","rules.lift_confirm":"Lift the {kind} of {person}?","rules.lifted":"Lifted","rules.note":"Note","rules.open_only":"Open only","rules.penalties":"Penalties","rules.penalty_kind":"Penalty","rules.person":"Person","rules.record":"Record violation","rules.recorded":"Violation recorded.","rules.violations":"Violations","access.apply":"Apply filters","access.at":"Time","access.clear":"Clear","access.denied":"Denied","access.door":"Door","access.export":"Export CSV","access.from":"From","access.full_names":"Include full names","access.full_names_audit":"An export with full names is recorded in the audit trail with your name.","access.granted":"Granted","access.new":"new","access.person":"Person","access.reason":"Reason","access.result":"Result","access.to":"To","devices.codes":"Lock codes","devices.direction":"Direction","devices.escape_route":"Escape route","devices.is_offline":"Offline","devices.is_online":"Online","devices.lock":"Lock","devices.online":"Reader","devices.open":"Open door","devices.open_confirm":"Open {door} now? It is recorded as a remote open with your name.","devices.opened":"{door} opened.","devices.problems":"problems: {count}","devices.readers":"Readers and line","devices.resync":"Resync lock","devices.resync_started":"Resync of {door} started.","osdp.title":"OSDP readers","osdp.no_lines":"No OSDP line yet: add the serial line (protocol OSDP) in the integration's options first.","osdp.line_down":"Line not connected","osdp.no_readers":"No reader on this line yet.","osdp.address":"Address","osdp.name":"Name","osdp.state":"State","osdp.secure":"Secure channel","osdp.plain":"No secure channel","osdp.key_own":"Own key","osdp.key_none":"Not paired","osdp.identity":"Identity","osdp.pair":"Pair reader","osdp.line":"Line","osdp.door":"Door it reads for","osdp.address_hint":"0 to 126, as set on the reader; put the reader in install mode first.","osdp.pairing":"Pairing: install mode, then a new key. This can take up to a minute…","osdp.paired_title":"Reader paired","osdp.paired":"{reader} at address {address} reads for {door}. Secure channel: {secure}. Model {model}, serial {serial}.","osdp.yes":"established","osdp.no":"not established","import.checking":"Checking…","import.choose":"Choose a CSV file","import.column":"Column","import.counts":"Rows: {rows} (households: {households}, people: {people}, cards: {cards}).","import.export":"Export all","import.has_errors":"Errors: {count}. Nothing is written until the file is corrected.","import.help":"Choose a CSV file of households, people and cards. It is checked first; nothing is written until you confirm, and then the whole file is written at once or not at all.","import.line":"Line","import.no_errors":"No errors.","import.reason":"Problem","import.result_dry":"Check of {file}","import.result_written":"Imported","import.template":"Download template","import.title":"Import households, people and cards","import.too_big":"The file is too large to send in one piece (about 4 MB at most): split it into several files.","import.write":"Import","import.write_confirm":"Write {households} households, {people} people and {cards} cards?","import.written":"Imported rows: {rows}.","gate.card_returned":"Visitor card handed back","gate.check_in":"Check in","gate.check_out":"Check out","gate.check_out_confirm":"Check out {name} (visiting {unit})?","gate.checked_in":"{name} checked in.","gate.code_for":"The pass code of {name}:","gate.checkin_help":"Enter the visitor's code, or name and phone of a pre-registered visitor.","gate.checkin_need":"Enter a code, or a name and a phone number.","gate.choose_door":"Choose a door","gate.code":"Code","gate.door_id":"Door id","gate.expected":"Expected today","gate.visitor_card":"Visitor card number","gate.gv_confirm":"Let {name} ({unit}) through {door}? You vouch for them; it is recorded with your name.","gate.gv_done":"{name} let through.","gate.gv_help":"For a resident you recognise who has no card with them.","gate.gv_need":"Choose a door and a person.","gate.gv_open":"Let through","gate.gv_title":"Guard-verified entry","gate.host_unit":"Visiting unit","gate.id_note":"The ID number is checked and stored hashed; it is never shown again.","gate.mine":"registered here","gate.minutes":"Minutes","gate.on_site":"Holding a pass or on site","gate.overdue":"Overdue","gate.pending":"Waiting for the host","gate.purpose":"Purpose","gate.recent":"Latest at the gates","goods.title":"Goods pass","goods.help":"Type or scan the code the household shows. A valid pass is used by this check.","goods.code":"Code","goods.verify":"Check the pass","goods.need":"Type the code and choose the door.","goods.status.valid":"Valid: the goods may go out","goods.status.invalid":"No pass with this code","goods.status.used":"Already used","goods.status.not_yet_valid":"Not valid yet","goods.status.expired":"Expired","goods.items":"Items","goods.large":"Large or valuable","goods.person":"Carried by","goods.issued_by":"Issued by","goods.valid":"Valid","goods.used_at":"Used {at} at {door}","goods.inspect":"Record a check of goods","goods.inspect_help":"Suspicious goods checked, with or without a pass.","goods.inspect_note":"What was checked and found","goods.inspect_done":"Check recorded.","goods.issue":"Issue a goods pass","goods.items_hint":"One item per line","goods.window_hint":"Leave both empty for today","goods.note":"Note (where the goods come from)","goods.issued":"Goods pass issued.","goods.code_for":"Show this code at the gate when the goods go out ({items}):","gate.register":"Register a visitor","gate.register_button":"Register and ask the host","gate.registered":"{name} registered; the host of {unit} is asked.","gate.since":"Since","gate.waiting_host":"Waiting for the host","gate.alarms":"Door alarms","gate.alarm_kind":"Alarm","gate.alarms_none":"No door alarm needs attention.","gate.alarm_started":"Started","gate.alarm_state":"State","gate.alarm_active":"Active","gate.alarm_ended":"Ended","gate.alarm_acknowledged":"Acknowledged","gate.alarm_acknowledge":"Acknowledge","gate.alarm_acknowledge_confirm":"Acknowledge the alarm at {door} ({kind})? It is recorded with your name.","gate.alarm_acknowledged_done":"Alarm at {door} acknowledged.","gate.alarm_new":"Door alarm at {door}: {kind}","alarm_kind.forced_open":"Forced open","alarm_kind.held_open":"Held open","alarm_kind.tamper":"Reader tampered with","alarm_kind.power_failure":"Reader power failure","home.access":"Entries and denials, last 30 days","home.admin_unit":"Unit to open","home.arrives":"Arrives","home.id_optional":"Optional","home.leaves":"Leaves","home.no_waiting":"Nobody is waiting.","home.notice":"Notice","home.people":"Household","home.preregister":"Pre-register a visitor","home.preregistered":"{name} is expected.","home.code_for":"Send {name} this code for the gate:","home.multiple_entries":"May come and go several times in the window","home.report_lost_confirm":"Report card {masked} lost? It is blocked at once; the property office issues a new one.","home.reported_lost":"The card is blocked.","home.upcoming":"Expected visitors","home.waiting":"Visitors waiting for your answer","code.done":"Done","code.once":"It is shown only now: note it or send it before closing.","picker.no_match":"Nobody found.","picker.placeholder":"Type a name or unit","dialog.pick_person":"Choose a person from the list.","role.owner":"Owner","role.family":"Family","role.tenant":"Tenant","role.helper":"Helper","role.staff":"Staff","role.contractor":"Contractor","role.visitor":"Visitor","status.active":"Active","status.suspended":"Suspended","status.moved_out":"Moved out","kind.card":"Card","kind.pin":"PIN","kind.fingerprint":"Fingerprint","kind.face":"Face","kind.phone_tag":"Phone tag","kind.plate":"Plate","cred_status.active":"Active","cred_status.lost":"Lost","cred_status.returned":"Returned","cred_status.cancelled":"Cancelled","cred_status.expired":"Expired","ledger.deposit":"Deposit","ledger.refund":"Refund","ledger.deposit_kept":"Deposit kept","ledger.reissue_fee":"Reissue fee","ledger.fine":"Fine","ledger.fine_waived":"Fine waived","visit_status.active":"Current","visit_status.all":"All","visit_status.expected":"Expected","visit_status.pending":"Pending","visit_status.approved":"Approved","visit_status.on_site":"On site","visit_status.overdue":"Overdue","visit_status.closed":"Closed","pass.card":"Visitor card","pass.pin":"PIN","pass.qr":"QR code","violation.using_anothers_card":"Using another's card","violation.lending_card":"Lending a card","violation.tampering":"Tampering","violation.tailgating":"Tailgating","violation.other":"Other","violation_status.open":"Open","violation_status.closed":"Closed","penalty.warning":"Warning","penalty.restriction":"Restriction","penalty.suspension":"Suspension","penalty.public_notice":"Public notice","penalty.report":"Report","penalty.fine":"Fine","reason.granted":"Granted","reason.unknown_door":"Unknown door","reason.unknown_credential":"Unknown credential","reason.lost":"Reported lost","reason.returned":"Returned","reason.cancelled":"Cancelled","reason.expired":"Expired","reason.not_yet_valid":"Not yet valid","reason.suspended":"Suspended","reason.moved_out":"Moved out","reason.zone_not_allowed":"Zone not allowed","reason.outside_time_window":"Outside the time window","reason.remote_open":"Remote open","reason.guard_verified":"Guard verified","reason.restricted":"Restricted","reason.anti_passback":"Anti-passback","reason.keypad_locked":"Keypad locked","reason.pass_used":"Pass already used","reason.face_alone":"Face alone not enough","reason.escape_route":"Escape-route exit","reason.emergency_release":"Emergency release","reason.lockdown":"Lockdown","reason.maintenance":"Maintenance","reason.not_accompanied":"Not accompanied","reason.patrol":"Patrol","direction.in":"In","direction.out":"Out","direction.both":"In and out","lock_state.locked":"Locked","lock_state.unlocked":"Unlocked","lock_state.locking":"Locking","lock_state.unlocking":"Unlocking","lock_state.jammed":"Jammed","lock_state.open":"Open","lock_state.opening":"Opening","lock_state.unavailable":"Unavailable","lock_state.unknown":"Unknown","sync.synced":"In sync","sync.pending":"Pending","sync.duplicate":"Duplicate code","sync.unmanaged":"Not managed","sync.empty":"Empty","sync.in_sync":"In sync","sync.syncing":"Syncing","sync.out_of_sync":"Out of sync","sync.failed":"Failed","sync.unknown":"Unknown","reader.door":"Read from reader at","reader.read":"Read","reader.present":"Present the new card at {door} now","reader.left":"{seconds} s left","reader.timeout":"No card was read in time. Press Read to try again.","reader.read_done":"Card read: {masked}","reader.known":"This card is already held by {name} ({unit}).","reader.known_lost":"This card was reported lost by {name} ({unit}); it cannot be issued again.","visitors.preregister":"Pre-register","visitors.visits":"Visits","visit_filter.pending":"Pending approval","visit_filter.upcoming":"Today & upcoming","visit_filter.on_site":"On site","visit_filter.overdue":"Overdue","visit_filter.active":"Current","visit_filter.closed":"Closed","visit_filter.all":"All","watchlist.title":"Watch list","watchlist.add":"Bar a visitor","watchlist.add_confirm":"Registration of this ID number will be refused at the gate, at the office and in pre-registrations until the bar is lifted.","watchlist.id_hint":"Kept only as a fingerprint: it is never shown again.","watchlist.reason":"Reason","watchlist.added":"The visitor is on the watch list.","watchlist.added_at":"Barred on","watchlist.remove":"Lift the bar","watchlist.remove_confirm":"Take {name} off the watch list? They may be registered again.","watchlist.removed":"The bar is lifted.","watchlist.explain":"Visitors barred by ID number. The ID number is never shown.","notices.title":"Public notices","notices.reason":"Reason","notices.regulation":"Regulation","notices.text":"Publicly criticised for breaking the access rules"};var at={"panel.office":"社区门禁管理","panel.gate":"门岗","panel.home":"我的家","panel.menu":"菜单","panel.community":"社区","panel.no_community":"您在任何社区都没有使用此页面的权限。","panel.no_home":"您的账户尚未关联住户。请联系物业办公室关联。","common.actions":"操作","common.add":"添加","common.all":"全部","common.back":"返回","common.cancel":"取消","common.edit":"编辑","common.live":"实时","common.loading":"加载中…","common.next":"下一页","common.none":"暂无内容。","common.offline":"未实时更新","common.open":"打开","common.previous":"上一页","common.range":"第 {first}–{last} 条，共 {total} 条","common.refresh":"刷新","common.save":"保存","common.status":"状态","common.valid_from":"生效时间","common.valid_until":"有效期至","office.tab.today":"今日","office.tab.households":"住户","office.tab.visitors":"访客","office.tab.rules":"违规处理","office.tab.access":"通行记录","office.tab.devices":"设备","office.tab.import":"导入导出","today.granted":"今日通行","today.denied":"今日拒绝","today.on_site":"在场访客","today.pending":"待审批","today.overdue":"逾期未还访客卡","today.open_violations":"未处理违规","today.suspended":"已暂停人员","today.devices_offline":"离线设备","today.lock_sync_problems":"门锁密码同步问题","today.latest":"最新通行","households.add":"添加住户","households.added":"已添加住户 {unit}。","households.card_quota":"门禁卡配额","households.cards":"门禁卡","households.include_moved_out":"包括已迁出","households.links":"关联用户和手机","households.moved_out":"已迁出","households.occupied":"在住","households.people":"人员","households.search":"搜索房号或姓名","households.unit":"房号","households.unit_hint":"楼栋-单元-房号，例如 3-2-501","person.add":"添加人员","person.add_to":"为 {unit} 添加人员","person.edit":"编辑 {name}","person.id_number":"身份证号","person.keep_hint":"当前 {masked}；留空则不变","person.name":"姓名","person.phone":"手机号","person.reactivate":"恢复","person.reactivate_confirm":"恢复 {name} 的通行？","person.role":"身份","person.suspend":"暂停","person.suspend_confirm":"暂停 {name}？其所有凭证立即停止开门。","card.damaged":"卡已损坏（押金不退）","card.deposit":"押金（元）","card.fee":"补卡费（元）","card.issue":"发卡","card.issue_to":"给 {name} 发卡","card.new_number":"新卡号","card.number":"卡号","card.number_hint":"输入卡面印刷的卡号，或用发卡器读取","card.reissue":"补卡","card.reissue_message":"新卡将替换已挂失的卡 {masked}。","card.report_lost":"挂失","card.report_lost_confirm":"挂失卡 {masked}？该卡立即失效。","card.return":"退卡","card.return_message":"交回卡 {masked}。押金：{deposit}。","credential.add":"添加凭证","credential.add_to":"为 {name} 添加凭证","credential.kind":"类型","credential.masked":"凭证","credential.revoke":"注销","credential.revoke_confirm":"注销{kind} {masked}？立即停止开门。","credential.value":"内容","credential.value_hint":"密码、模板编号或车牌；加密保存，不再显示","credentials.title":"凭证","moveout.button":"迁出","moveout.confirm":"确认迁出","moveout.done":"住户 {unit} 已迁出。","moveout.kept":"{count} 个凭证无押金可退。","moveout.no_refunds":"没有需要退还的押金。","moveout.refunds":"{count} 张卡有押金，共 {total}：","moveout.returned":"卡 {masked} 已交回：退押金 {deposit}","moveout.summary":"{people} 人迁出；该户所有凭证停止使用。","moveout.tick":"未交回的卡请取消勾选：其押金不退。","moveout.title":"{unit} 迁出","statement.amount":"金额","statement.at":"日期","statement.balance":"余额","statement.deposits_held":"在押押金","statement.kind":"项目","statement.note":"备注","statement.title":"账单","visit.approve":"同意","visit.approve_confirm":"同意 {name} 来访 {unit}？","visit.deny":"拒绝","visit.deny_confirm":"拒绝 {name} 来访 {unit}？","visit.pass":"通行方式","visit.registered":"登记时间","visit.visitor":"访客","visit.window":"时段","rules.active_only":"仅生效中","rules.amount":"罚款（元）","rules.apply":"处罚","rules.apply_for":"{person}：{kind}","rules.commend":"登记表扬","rules.commend_hint":"值得表扬的好人好事：拾金不昧、邻里互助、及时报告设备故障等。","rules.commendations":"表扬","rules.commended":"表扬已登记。","rules.days":"天数","rules.in_force":"生效中","rules.kind":"违规类型","rules.lift":"解除","rules.lift_confirm":"解除 {person} 的{kind}？","rules.lifted":"已解除","rules.note":"备注","rules.open_only":"仅未处理","rules.penalties":"处罚","rules.penalty_kind":"处罚类型","rules.person":"人员","rules.record":"登记违规","rules.recorded":"违规已登记。","rules.violations":"违规","access.apply":"筛选","access.at":"时间","access.clear":"清除","access.denied":"拒绝","access.door":"门","access.export":"导出 CSV","access.from":"开始","access.full_names":"包含完整姓名","access.full_names_audit":"导出完整姓名会以您的名义记入审计日志。","access.granted":"通过","access.new":"新","access.person":"人员","access.reason":"原因","access.result":"结果","access.to":"结束","devices.codes":"门锁密码","devices.direction":"方向","devices.escape_route":"逃生通道","devices.is_offline":"离线","devices.is_online":"在线","devices.lock":"门锁","devices.online":"读卡器","devices.open":"开门","devices.open_confirm":"立即打开 {door}？将以您的名义记为远程开门。","devices.opened":"{door} 已打开。","devices.problems":"{count} 个问题","devices.readers":"读卡器和线路","devices.resync":"重新同步门锁","devices.resync_started":"{door} 已开始重新同步。","osdp.title":"OSDP 读卡器","osdp.no_lines":"还没有 OSDP 线路：请先在集成的选项中添加串口线路（协议 OSDP）。","osdp.line_down":"线路未连接","osdp.no_readers":"此线路上还没有读卡器。","osdp.address":"地址","osdp.name":"名称","osdp.state":"状态","osdp.secure":"安全通道","osdp.plain":"无安全通道","osdp.key_own":"专用密钥","osdp.key_none":"未配对","osdp.identity":"身份","osdp.pair":"配对读卡器","osdp.line":"线路","osdp.door":"所属门禁点","osdp.address_hint":"0 到 126，与读卡器上设置的一致；请先让读卡器进入安装模式。","osdp.pairing":"正在配对：安装模式，然后下发新密钥。最多可能需要一分钟……","osdp.paired_title":"读卡器已配对","osdp.paired":"地址 {address} 的 {reader} 用于 {door}。安全通道：{secure}。型号 {model}，序列号 {serial}。","osdp.yes":"已建立","osdp.no":"未建立","import.checking":"检查中…","import.choose":"选择 CSV 文件","import.column":"列","import.counts":"{rows} 行：{households} 户，{people} 人，{cards} 张卡。","import.export":"全部导出","import.has_errors":"{count} 个错误：改正文件之前不会写入任何内容。","import.help":"选择包含住户、人员和门禁卡的 CSV 文件。先检查；确认后整个文件一次写入，要么全部成功，要么全部不写。","import.line":"行","import.no_errors":"没有错误。","import.reason":"问题","import.result_dry":"{file} 的检查结果","import.result_written":"已导入","import.template":"下载模板","import.title":"导入住户、人员和门禁卡","import.too_big":"文件太大，无法一次发送（最多约 4 MB）：请拆分为多个文件。","import.write":"导入","import.write_confirm":"写入 {households} 户、{people} 人和 {cards} 张卡？","import.written":"已导入 {rows} 行。","gate.card_returned":"访客卡已交回","gate.check_in":"签到","gate.check_out":"签离","gate.check_out_confirm":"{name}（拜访 {unit}）签离？","gate.checked_in":"{name} 已签到。","gate.code_for":"{name} 的通行码：","gate.checkin_help":"输入访客的通行码，或预约访客的姓名和手机号。","gate.checkin_need":"请输入通行码，或姓名和手机号。","gate.choose_door":"选择门","gate.code":"通行码","gate.door_id":"门编号","gate.expected":"今日预约","gate.visitor_card":"访客卡号","gate.gv_confirm":"放行 {name}（{unit}）通过 {door}？由您担保，并以您的名义记录。","gate.gv_done":"已放行 {name}。","gate.gv_help":"用于您认识、但未带卡的住户。","gate.gv_need":"请选择门和人员。","gate.gv_open":"放行","gate.gv_title":"门岗核实放行","gate.host_unit":"拜访房号","gate.id_note":"身份证号经核验后加密保存，不再显示。","gate.mine":"本岗登记","gate.minutes":"分钟","gate.on_site":"持通行证及在场","gate.overdue":"逾期","gate.pending":"等待业主答复","gate.purpose":"来访事由","gate.recent":"门岗最新通行","goods.title":"物品放行条","goods.help":"输入或扫描住户出示的放行码。有效的放行条核验后即作废。","goods.code":"放行码","goods.verify":"核验放行条","goods.need":"请输入放行码并选择门岗。","goods.status.valid":"有效:物品可以放行","goods.status.invalid":"没有此放行码","goods.status.used":"已使用","goods.status.not_yet_valid":"尚未生效","goods.status.expired":"已过期","goods.items":"物品","goods.large":"大件或贵重","goods.person":"携带人","goods.issued_by":"开具人","goods.valid":"有效期","goods.used_at":"已于 {at} 在 {door} 使用","goods.inspect":"登记物品检查","goods.inspect_help":"对可疑物品的检查,有无放行条均可登记。","goods.inspect_note":"检查的内容和结果","goods.inspect_done":"检查已登记。","goods.issue":"开具物品放行条","goods.items_hint":"每行一件物品","goods.window_hint":"都不填则为今天有效","goods.note":"备注(物品来源)","goods.issued":"放行条已开具。","goods.code_for":"物品带出时在门岗出示此放行码({items}):","gate.register":"访客登记","gate.register_button":"登记并通知业主","gate.registered":"{name} 已登记；已通知 {unit} 业主。","gate.since":"入场时间","gate.waiting_host":"等待业主答复","gate.alarms":"门禁报警","gate.alarm_kind":"报警类型","gate.alarms_none":"没有需要处理的门禁报警。","gate.alarm_started":"开始时间","gate.alarm_state":"状态","gate.alarm_active":"进行中","gate.alarm_ended":"已结束","gate.alarm_acknowledged":"已确认","gate.alarm_acknowledge":"确认","gate.alarm_acknowledge_confirm":"确认 {door} 的报警({kind})?确认记录将附上您的名字。","gate.alarm_acknowledged_done":"{door} 的报警已确认。","gate.alarm_new":"{door} 门禁报警:{kind}","alarm_kind.forced_open":"强行开门","alarm_kind.held_open":"开门超时","alarm_kind.tamper":"读卡器被撬","alarm_kind.power_failure":"读卡器断电","home.access":"近 30 天的通行和拒绝","home.admin_unit":"要查看的房号","home.arrives":"到达时间","home.id_optional":"选填","home.leaves":"离开时间","home.no_waiting":"没有等待中的访客。","home.notice":"公告","home.people":"家庭成员","home.preregister":"预约访客","home.preregistered":"已预约 {name}。","home.code_for":"请把此通行码发给 {name}，进门时使用：","home.multiple_entries":"时段内可多次进出","home.report_lost_confirm":"挂失卡 {masked}？该卡立即失效；请到物业办公室补办。","home.reported_lost":"该卡已失效。","home.upcoming":"预约访客","home.waiting":"等待您答复的访客","code.done":"完成","code.once":"仅此一次显示：关闭前请记下或发送。","picker.no_match":"未找到。","picker.placeholder":"输入姓名或房号","dialog.pick_person":"请从列表中选择人员。","role.owner":"业主","role.family":"家属","role.tenant":"租户","role.helper":"保姆","role.staff":"物业员工","role.contractor":"外包人员","role.visitor":"访客","status.active":"正常","status.suspended":"已暂停","status.moved_out":"已迁出","kind.card":"门禁卡","kind.pin":"密码","kind.fingerprint":"指纹","kind.face":"人脸","kind.phone_tag":"手机标签","kind.plate":"车牌","cred_status.active":"有效","cred_status.lost":"已挂失","cred_status.returned":"已退还","cred_status.cancelled":"已注销","cred_status.expired":"已过期","ledger.deposit":"押金","ledger.refund":"退押金","ledger.deposit_kept":"押金不退","ledger.reissue_fee":"补卡费","ledger.fine":"罚款","ledger.fine_waived":"罚款减免","visit_status.active":"当前","visit_status.all":"全部","visit_status.expected":"已预约","visit_status.pending":"待审批","visit_status.approved":"已同意","visit_status.on_site":"在场","visit_status.overdue":"逾期","visit_status.closed":"已结束","pass.card":"访客卡","pass.pin":"密码","pass.qr":"二维码","violation.using_anothers_card":"冒用他人卡","violation.lending_card":"出借门禁卡","violation.tampering":"破坏设备","violation.tailgating":"尾随进入","violation.other":"其他","violation_status.open":"未处理","violation_status.closed":"已处理","penalty.warning":"警告","penalty.restriction":"限制使用","penalty.suspension":"暂停出入","penalty.public_notice":"公告批评","penalty.report":"上报","penalty.fine":"罚款","reason.granted":"通过","reason.unknown_door":"未知的门","reason.unknown_credential":"未登记的凭证","reason.lost":"已挂失","reason.returned":"已退还","reason.cancelled":"已注销","reason.expired":"已过期","reason.not_yet_valid":"尚未生效","reason.suspended":"已暂停","reason.moved_out":"已迁出","reason.zone_not_allowed":"无权进入该区域","reason.outside_time_window":"不在通行时段内","reason.remote_open":"远程开门","reason.guard_verified":"门岗核实放行","reason.restricted":"限制使用","reason.anti_passback":"防潜回","reason.keypad_locked":"键盘已锁定","reason.pass_used":"通行证已使用","reason.face_alone":"仅人脸不足","reason.escape_route":"逃生通道出门","reason.emergency_release":"紧急放行","reason.lockdown":"封闭管理","reason.maintenance":"设备维护","reason.not_accompanied":"无人陪同","reason.patrol":"巡查打卡","direction.in":"进","direction.out":"出","direction.both":"进出","lock_state.locked":"已上锁","lock_state.unlocked":"已开锁","lock_state.locking":"上锁中","lock_state.unlocking":"开锁中","lock_state.jammed":"卡住","lock_state.open":"已打开","lock_state.opening":"打开中","lock_state.unavailable":"不可用","lock_state.unknown":"未知","sync.synced":"已同步","sync.pending":"同步中","sync.duplicate":"密码重复","sync.unmanaged":"非本系统管理","sync.empty":"空","sync.in_sync":"已同步","sync.syncing":"同步中","sync.out_of_sync":"未同步","sync.failed":"失败","sync.unknown":"未知","reader.door":"读卡器所在门","reader.read":"读卡","reader.present":"请现在在 {door} 的读卡器上刷新卡","reader.left":"剩余 {seconds} 秒","reader.timeout":"未在规定时间内读到卡片。请按“读卡”重试。","reader.read_done":"已读到卡片:{masked}","reader.known":"此卡已由 {name}({unit})持有。","reader.known_lost":"此卡已由 {name}({unit})挂失,不能再次发放。","visitors.preregister":"预约登记","visitors.visits":"来访记录","visit_filter.pending":"待审批","visit_filter.upcoming":"今日及预约","visit_filter.on_site":"在场","visit_filter.overdue":"逾期","visit_filter.active":"当前","visit_filter.closed":"已结束","visit_filter.all":"全部","watchlist.title":"禁止名单","watchlist.add":"加入禁止名单","watchlist.add_confirm":"在解除之前,门岗、物业和预约登记都将拒绝登记此证件号码。","watchlist.id_hint":"仅保存其摘要,之后不再显示。","watchlist.reason":"原因","watchlist.added":"已加入禁止名单。","watchlist.added_at":"加入时间","watchlist.remove":"解除","watchlist.remove_confirm":"将 {name} 移出禁止名单?之后可以再次登记。","watchlist.removed":"已解除。","watchlist.explain":"按证件号码禁止的访客。证件号码不会显示。","notices.title":"公告批评","notices.reason":"原因","notices.regulation":"依据","notices.text":"因违反门禁管理规定予以公告批评"};function Tt(r){return r&&r.toLowerCase().startsWith("zh")?at:re}function ne(r){let s=Tt(r);return(e,t)=>{let i=s[e]??re[e]??e;return t?i.replace(/\{(\w+)\}/g,(o,n)=>n in t?String(t[n]):o):i}}function p(r,s,e){if(e==null||e==="")return"—";let t=`${s}.${e}`;return t in re?r(t):e}var m=class extends b{constructor(){super(...arguments);this.narrow=!1;this.error="";this.notice="";this.busy=!1;this.reloadOnReconnect=!1;this.onReady=()=>{this.api&&this.communityChanged()}}static{this.styles=[E]}static{this.properties={hass:{attribute:!1},api:{attribute:!1},narrow:{type:Boolean},error:{state:!0},notice:{state:!0},busy:{state:!0}}}get t(){let e=this.hass?.language;return(!this._t||this._tLang!==e)&&(this._t=ne(e),this._tLang=e),this._t}async run(e,t){this.error="",this.notice="",this.busy=!0;try{let i=await e();return t&&(this.notice=t),i}catch(i){this.error=A(i);return}finally{this.busy=!1}}willUpdate(e){if(super.willUpdate(e),e.has("api")&&this.api){let t=e.get("api");(!t||t.entryId!==this.api.entryId)&&this.communityChanged()}}communityChanged(){}connectedCallback(){super.connectedCallback(),this.reloadOnReconnect&&this.hass?.connection?.addEventListener?.("ready",this.onReady)}disconnectedCallback(){super.disconnectedCallback(),this.hass?.connection?.removeEventListener?.("ready",this.onReady)}};function f(r,s,e,t,i){return e.length?a`<table class=${t?"stacked":""}>
    <thead>
      <tr>
        ${s.map(o=>a`<th scope="col">${o.label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${e.map(o=>a`<tr
            class=${i?"clickable":""}
            tabindex=${i?"0":d}
            @click=${i?()=>i(o):d}
            @keydown=${i?n=>{(n.key==="Enter"||n.key===" ")&&(n.preventDefault(),i(o))}:d}
          >
            ${s.map(n=>a`<td data-label=${n.label}>${n.render(o)}</td>`)}
          </tr>`)}
    </tbody>
  </table>`:a`<p class="muted">${r("common.none")}</p>`}function k(r,s,e,t,i){let o=t?s+1:0,n=Math.min(s+e,t);return a`<div class="row pager">
    <span class="muted">${r("common.range",{first:o,last:n,total:t})}</span>
    <span class="spacer"></span>
    <button ?disabled=${s<=0} @click=${()=>i(Math.max(0,s-e))}>
      ${r("common.previous")}
    </button>
    <button ?disabled=${s+e>=t} @click=${()=>i(s+e)}>
      ${r("common.next")}
    </button>
  </div>`}function _(r,s){return a`${r?a`<div class="banner" role="alert">${r}</div>`:d}
  ${s?a`<div class="banner info" role="status">${s}</div>`:d}`}var dt=new Map;function xe(r,s){let e=r.language||"en",t=r.config?.time_zone||void 0,i=`${e}|${t}|${s}`,o=dt.get(i);if(!o){let n={timeZone:t};s!=="time"&&Object.assign(n,{year:"numeric",month:"2-digit",day:"2-digit"}),s!=="date"&&Object.assign(n,{hour:"2-digit",minute:"2-digit",hour12:!1});try{o=new Intl.DateTimeFormat(e,n)}catch{o=new Intl.DateTimeFormat("en",n)}dt.set(i,o)}return o}function w(r,s){if(!s)return"—";let e=new Date(s);return Number.isNaN(e.getTime())?s:xe(r,"datetime").format(e)}function $(r,s){if(!s)return"—";let e=new Date(s);return Number.isNaN(e.getTime())?s:xe(r,"date").format(e)}function T(r,s){if(!s)return"—";let e=new Date(s);return Number.isNaN(e.getTime())?s:xe(r,"time").format(e)}function q(r,s,e){if(!s&&!e)return"—";let t=s&&e&&$(r,s)===$(r,e);return`${w(r,s)} – ${t?T(r,e):w(r,e)}`}function x(r,s){if(s==null)return"—";try{return new Intl.NumberFormat(r.language||"en",{style:"currency",currency:"CNY",currencyDisplay:"narrowSymbol"}).format(s)}catch{return`¥${s.toFixed(2)}`}}function lt(r,s){let e=new Intl.DateTimeFormat("en-US",{timeZone:s,hourCycle:"h23",year:"numeric",month:"2-digit",day:"2-digit",hour:"2-digit",minute:"2-digit",second:"2-digit"}).formatToParts(new Date(r)),t=i=>Number(e.find(o=>o.type===i)?.value??0);return Date.UTC(t("year"),t("month")-1,t("day"),t("hour"),t("minute"),t("second"))-r}function y(r,s){let e=/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s??"");if(!e)return;let t=Date.UTC(+e[1],+e[2]-1,+e[3],+e[4],+e[5],+(e[6]??0)),i=r.config?.time_zone;if(!i)return new Date(+e[1],+e[2]-1,+e[3],+e[4],+e[5],+(e[6]??0)).toISOString();try{let o=t-lt(t,i);return o=t-lt(o,i),new Date(o).toISOString()}catch{return}}function ct(r){let s;try{s=new Intl.DateTimeFormat("en-CA",{timeZone:r.config?.time_zone||void 0,year:"numeric",month:"2-digit",day:"2-digit"}).format(new Date)}catch{s=new Date().toISOString().slice(0,10)}return`${s}T00:00`}function ae(r,s,e="text/csv;charset=utf-8"){let t=new Blob([s.startsWith("\uFEFF")?s:`\uFEFF${s}`],{type:e}),i=URL.createObjectURL(t),o=document.createElement("a");o.href=i,o.download=r,document.body.appendChild(o),o.click(),o.remove(),setTimeout(()=>URL.revokeObjectURL(i),1e3)}var It=[["granted_today","today.granted","access",{granted:!0,today:!0},!1],["denied_today","today.denied","access",{granted:!1,today:!0},!0],["on_site","today.on_site","visitors",{status:"on_site"},!1],["pending","today.pending","visitors",{status:"pending"},!1],["overdue","today.overdue","visitors",{status:"overdue"},!0],["open_violations","today.open_violations","rules",{},!0],["suspended","today.suspended","households",{},!0],["devices_offline","today.devices_offline","devices",{},!0],["lock_sync_problems","today.lock_sync_problems","devices",{},!0]],Pe=class extends m{constructor(){super(...arguments);this.latest=[];this.reloadOnReconnect=!0}static{this.properties={...m.properties,today:{state:!0},latest:{state:!0}}}communityChanged(){this.stop(),this.run(async()=>{this.today=await this.api.today()}),this.unsub=this.api.subscribe("office/subscribe_access",{},i=>{let o=i.record;if(o&&(this.latest=[o,...this.latest.filter(n=>n.record_id!==o.record_id)].slice(0,10),this.today)){let n=o.granted?"granted_today":"denied_today";this.today={...this.today,[n]:this.today[n]+1}}});let e=this.unsub,t=()=>{this.unsub===e&&this.api.accessLog({limit:10}).then(i=>{let o=new Set(this.latest.map(n=>n.record_id));this.latest=[...this.latest,...i.items.filter(n=>!o.has(n.record_id))].sort((n,l)=>n.at<l.at?1:n.at>l.at?-1:l.record_id-n.record_id).slice(0,10)}).catch(()=>{})};e.then(t,t)}stop(){let e=this.unsub;this.unsub=void 0,e?.then(t=>t()).catch(()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.stop(),window.clearInterval(this.timer)}connectedCallback(){super.connectedCallback(),this.api&&!this.unsub&&this.hasUpdated&&this.communityChanged(),this.timer=window.setInterval(()=>{this.api&&document.visibilityState==="visible"&&this.api.today().then(e=>this.today=e,()=>{})},6e4)}go(e,t){this.dispatchEvent(new CustomEvent("ca-navigate",{detail:{tab:e,filter:t},bubbles:!0,composed:!0}))}render(){let e=this.today;return a`${_(this.error,this.notice)}
      <div class="grid">
        ${It.map(([t,i,o,n,l])=>a`<button class="stat ${l&&e&&e[t]>0?"alert":""}" @click=${()=>this.go(o,n)}>
              <span class="n">${e?e[t]:"…"}</span>
              <span>${this.t(i)}</span>
            </button>`)}
      </div>
      <div class="card" style="margin-top:16px">
        <h3>${this.t("today.latest")}</h3>
        ${this.latest.length?a`<table class=${this.narrow?"stacked":""}>
              <tbody>
                ${this.latest.map(t=>a`<tr>
                      <td data-label=${this.t("access.at")}>${T(this.hass,t.at)}</td>
                      <td data-label=${this.t("access.door")}>${t.door}</td>
                      <td data-label=${this.t("access.person")}>${t.person_name??"—"} ${t.unit??""}</td>
                      <td data-label=${this.t("access.result")}>
                        <span class="chip ${t.granted?"good":"bad"}"
                          >${t.granted?this.t("access.granted"):this.t("access.denied")}</span
                        >
                        ${t.reason_text}
                      </td>
                    </tr>`)}
              </tbody>
            </table>`:a`<p class="muted">${this.t("common.none")}</p>`}
      </div>`}};customElements.get("ca-office-today")||customElements.define("ca-office-today",Pe);var Ae=class extends b{constructor(){super(...arguments);this.label="";this.query="";this.hits=[];this.chosen=null;this.problem="";this.seq=0}static{this.shadowRootOptions={...b.shadowRootOptions,delegatesFocus:!0}}static{this.styles=[E,P`
      :host {
        position: relative;
      }
      input {
        width: 100%;
      }
      ul {
        list-style: none;
        margin: 4px 0 0;
        padding: 0;
        border: 1px solid var(--divider-color, #ccc);
        border-radius: 4px;
        max-height: 220px;
        overflow: auto;
        background: var(--card-background-color, #fff);
      }
      li button {
        width: 100%;
        border: none;
        border-radius: 0;
        text-align: start;
        color: var(--primary-text-color);
      }
      li button:hover {
        background: var(--secondary-background-color, rgba(0, 0, 0, 0.05));
      }
    `]}static{this.properties={search:{attribute:!1},t:{attribute:!1},label:{},query:{state:!0},hits:{state:!0},chosen:{state:!0},problem:{state:!0}}}onInput(e){if(this.query=e.target.value,this.setChosen(null),window.clearTimeout(this.timer),this.query.trim().length<1){this.hits=[];return}this.timer=window.setTimeout(()=>{this.lookUp()},250)}async lookUp(){let e=++this.seq;try{let t=await this.search(this.query.trim());e===this.seq&&(this.hits=t,this.problem="")}catch(t){e===this.seq&&(this.problem=A(t))}}setChosen(e){this.chosen=e,this.dispatchEvent(new CustomEvent("value-changed",{detail:{value:e}}))}render(){return a`<label class="field"
        >${this.label}
        <input
          type="search"
          autocomplete="off"
          .value=${this.chosen?`${this.chosen.name} · ${this.chosen.unit??""}`:this.query}
          placeholder=${this.t("picker.placeholder")}
          @input=${this.onInput}
      /></label>
      ${this.problem?a`<div class="error">${this.problem}</div>`:d}
      ${!this.chosen&&this.hits.length?a`<ul role="listbox">
            ${this.hits.map(e=>a`<li>
                  <button
                    type="button"
                    @click=${()=>{this.setChosen(e),this.hits=[]}}
                  >
                    ${e.name} <span class="muted">${e.unit??""}</span>
                  </button>
                </li>`)}
          </ul>`:d}
      ${!this.chosen&&this.query&&!this.hits.length&&!this.problem?a`<div class="muted">${this.t("picker.no_match")}</div>`:d}`}};customElements.get("ca-person-picker")||customElements.define("ca-person-picker",Ae);var Ot=60;function Rt(r){let s=e=>e.reader_entities.length>0||e.line!==null;return[...r.filter(s),...r.filter(e=>!s(e))]}var Ee=class extends b{constructor(){super(...arguments);this.door="";this.left=0;this.waitingAt="";this.problem=""}static{this.styles=[E,P`
      .row {
        display: flex;
        gap: 8px;
        align-items: center;
        flex-wrap: wrap;
      }
      .wait {
        font-weight: 500;
      }
    `]}static{this.properties={api:{attribute:!1},t:{attribute:!1},doors:{state:!0},door:{state:!0},left:{state:!0},waitingAt:{state:!0},read:{state:!0},problem:{state:!0}}}connectedCallback(){super.connectedCallback(),this.loadDoors()}disconnectedCallback(){super.disconnectedCallback(),this.stop()}async loadDoors(){try{this.doors=Rt(await this.api.devices()),this.door=this.doors[0]?.door_id??""}catch(e){this.problem=A(e)}}async start(){let e=this.doors?.find(t=>t.door_id===this.door);if(e){this.problem="",this.read=void 0;try{this.unsubscribe=await this.api.captureCard(e.door_id,t=>this.onEvent(t))}catch(t){this.problem=A(t);return}this.waitingAt=e.name,this.left=Ot,this.ticker=window.setInterval(()=>{this.left=Math.max(0,this.left-1)},1e3)}}async stop(){this.ticker!==void 0&&window.clearInterval(this.ticker),this.ticker=void 0,this.waitingAt="";let e=this.unsubscribe;if(this.unsubscribe=void 0,e)try{await e()}catch{}}onEvent(e){if(this.stop(),"timeout"in e){this.problem=this.t("reader.timeout");return}this.read=e,this.dispatchEvent(new CustomEvent("card-read",{detail:e,bubbles:!0,composed:!0}))}render(){let e=this.t;if(this.waitingAt)return a`<div class="row" role="status">
        <span class="wait">${e("reader.present",{door:this.waitingAt})}</span>
        <span class="muted">${e("reader.left",{seconds:this.left})}</span>
        <button type="button" @click=${()=>this.stop()}>${e("common.cancel")}</button>
      </div>`;let t=this.read?.known?this.read.holder:void 0;return a`<div class="row">
        <label class="field"
          >${e("reader.door")}
          <select
            .value=${this.door}
            @change=${i=>this.door=i.target.value}
          >
            ${(this.doors??[]).map(i=>a`<option value=${i.door_id} ?selected=${i.door_id===this.door}>${i.name}</option>`)}
          </select></label
        >
        <button type="button" ?disabled=${!this.door} @click=${()=>this.start()}>${e("reader.read")}</button>
      </div>
      ${this.read?a`<div class="muted">${e("reader.read_done",{masked:this.read.masked})}</div>`:d}
      ${t?a`<div class="banner" role="alert">
            ${e(t.status==="lost"?"reader.known_lost":"reader.known",{name:t.name??"",unit:t.unit??""})}
          </div>`:d}
      ${this.problem?a`<div class="banner" role="alert">${this.problem}</div>`:d}`}};customElements.get("ca-card-reader")||customElements.define("ca-card-reader",Ee);var Ce=class extends b{constructor(){super(...arguments);this.problem="";this.working=!1;this.values={}}static{this.styles=[E,P`
      dialog {
        border: none;
        border-radius: var(--ha-dialog-border-radius, var(--ha-card-border-radius, 12px));
        background: var(--card-background-color, #fff);
        color: var(--primary-text-color);
        padding: 24px;
        width: min(520px, calc(100vw - 32px));
        max-height: calc(100vh - 32px);
        box-sizing: border-box;
      }
      dialog::backdrop {
        background: rgba(0, 0, 0, 0.4);
      }
      h2 {
        margin: 0 0 16px;
        font-size: 20px;
        font-weight: 500;
      }
      .fields {
        display: flex;
        flex-direction: column;
        gap: 12px;
        margin: 12px 0;
      }
      .code {
        font-size: 32px;
        letter-spacing: 4px;
        text-align: center;
        margin: 16px 0;
        font-family: var(--ha-font-family-code, monospace);
        user-select: all;
      }
      .progress {
        display: flex;
        align-items: center;
        gap: 8px;
        margin-top: 12px;
      }
      .spinner {
        width: 18px;
        height: 18px;
        border: 2px solid var(--divider-color, #ccc);
        border-top-color: var(--primary-color, #03a9f4);
        border-radius: 50%;
        animation: spin 0.8s linear infinite;
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
        margin-top: 16px;
      }
    `]}static{this.properties={opts:{attribute:!1},t:{attribute:!1},problem:{state:!0},working:{state:!0}}}firstUpdated(){for(let t of this.opts.fields??[])t.value!==void 0?this.values[t.name]=t.value:t.type==="checkbox"?this.values[t.name]=!1:t.type==="select"&&t.options?.length&&(this.values[t.name]=t.options[0].value);this.renderRoot.querySelector("dialog")?.showModal(),this.renderRoot.querySelector("input, select, textarea, ca-person-picker")?.focus()}close(e){this.renderRoot.querySelector("dialog")?.close(),this.resolve?.(e),this.remove()}async onSubmit(e){if(e.preventDefault(),!!e.target.reportValidity()){for(let i of this.opts.fields??[])if(i.required&&i.type==="person"&&!this.values[i.name]){this.problem=this.t("dialog.pick_person");return}this.working=!0,this.problem="";try{await this.opts.submit({...this.values}),this.close(!0)}catch(i){this.problem=A(i)}finally{this.working=!1}}}set(e,t){this.values[e]=t}renderField(e){let t=this.values[e.name]??e.value,i=n=>this.set(e.name,n.target.value),o=e.hint?a`<span class="muted">${e.hint}</span>`:d;switch(e.type){case"checkbox":return a`<label class="check"
          ><input
            type="checkbox"
            .checked=${!!t}
            @change=${n=>this.set(e.name,n.target.checked)}
          />${e.label}</label
        >`;case"select":return a`<label class="field"
          >${e.label}
          <select @change=${i} ?required=${e.required}>
            ${(e.options??[]).map(n=>a`<option value=${n.value} ?selected=${n.value===t}>${n.label}</option>`)}
          </select>
          ${o}</label
        >`;case"textarea":return a`<label class="field"
          >${e.label}<textarea rows="3" .value=${String(t??"")} @input=${i}></textarea>${o}</label
        >`;case"person":return a`<ca-person-picker
          .t=${this.t}
          .search=${e.search}
          label=${e.label}
          @value-changed=${n=>this.set(e.name,n.detail.value?.person_id)}
        ></ca-person-picker>`;default:{let n=e.type==="datetime"?"datetime-local":e.type??"text",l=e.reader?a`<ca-card-reader
              .api=${e.reader}
              .t=${this.t}
              @card-read=${c=>{this.set(e.name,c.detail.card_number),this.requestUpdate()}}
            ></ca-card-reader>`:d;return a`<label class="field"
          >${e.label}
          <input
            type=${n}
            .value=${String(t??"")}
            ?required=${e.required}
            min=${e.min??d}
            step=${e.step??d}
            autocomplete="off"
            @input=${i}
          />${o}</label
        >${l}`}}}render(){let e=this.opts;return a`<dialog @cancel=${t=>{t.preventDefault(),this.working||this.close(!1)}}>
      <form @submit=${this.onSubmit}>
        <h2>${e.title}</h2>
        ${e.message?a`<div>${e.message}</div>`:d}
        ${e.fields?.length?a`<div class="fields">${e.fields.map(t=>this.renderField(t))}</div>`:d}
        ${this.working&&e.progress?a`<div class="progress" role="status"><span class="spinner"></span>${e.progress}</div>`:d}
        ${this.problem?a`<div class="banner" role="alert">${this.problem}</div>`:d}
        <div class="actions">
          ${e.noCancel?d:a`<button type="button" ?disabled=${this.working} @click=${()=>this.close(!1)}>
                ${this.t("common.cancel")}
              </button>`}
          <button type="submit" class=${e.danger?"primary danger":"primary"} ?disabled=${this.working}>
            ${e.confirm}
          </button>
        </div>
      </form>
    </dialog>`}};customElements.get("ca-form-dialog")||customElements.define("ca-form-dialog",Ce);function F(r,s,e,t){return u(r,{title:s,message:a`<p>${e}</p>
      <div class="code">${t}</div>
      <p class="muted">${r("code.once")}</p>`,confirm:r("code.done"),noCancel:!0,submit:async()=>{}})}function u(r,s){return new Promise(e=>{let t=document.createElement("ca-form-dialog");t.t=r,t.opts=s,t.resolve=e,document.body.appendChild(t)})}var pt=50,Dt=["owner","family","tenant","helper","staff","contractor"],Vt=["pin","fingerprint","face","phone_tag","plate"];function I(r){return typeof r=="string"&&r.trim()?r.trim():void 0}function Se(r){if(r==null||r==="")return;let s=Number(r);return Number.isFinite(s)?s:void 0}var Te=class extends m{constructor(){super(...arguments);this.search="";this.movedOut=!1;this.offset=0}static{this.properties={...m.properties,search:{state:!0},movedOut:{state:!0},offset:{state:!0},page:{state:!0},detail:{state:!0}}}communityChanged(){this.detail=void 0,this.offset=0,this.load()}async load(){await this.run(async()=>{this.page=await this.api.households({search:this.search||void 0,include_moved_out:this.movedOut,offset:this.offset,limit:pt})})}async open(e){await this.run(async()=>{this.detail=await this.api.household(e)})}async refresh(){this.detail&&await this.open(this.detail.household.unit)}onSearch(e){this.search=e.target.value,window.clearTimeout(this.timer),this.timer=window.setTimeout(()=>{this.offset=0,this.load()},300)}async addHousehold(){let e=this.t,t="";await u(e,{title:e("households.add"),confirm:e("common.add"),fields:[{name:"unit",label:e("households.unit"),required:!0,hint:e("households.unit_hint")},{name:"card_quota",label:e("households.card_quota"),type:"number",min:0}],submit:async o=>{t=I(o.unit)??"",await this.api.addHousehold(t,Se(o.card_quota))}})&&(await this.load(),await this.open(t),this.notice=e("households.added",{unit:t}))}personFields(e){let t=this.t;return[{name:"name",label:t("person.name"),required:!e,value:e?.name},{name:"role",label:t("person.role"),type:"select",value:e?.role,options:Dt.map(o=>({value:o,label:p(t,"role",o)}))},{name:"id_number",label:t("person.id_number"),hint:e?.id_number_masked?t("person.keep_hint",{masked:e.id_number_masked}):void 0},{name:"phone",label:t("person.phone"),type:"tel",hint:e?.phone_masked?t("person.keep_hint",{masked:e.phone_masked}):void 0},{name:"valid_from",label:t("common.valid_from"),type:"datetime"},{name:"valid_until",label:t("common.valid_until"),type:"datetime"}]}personParams(e){return{name:I(e.name),role:I(e.role),id_number:I(e.id_number),phone:I(e.phone),valid_from:y(this.hass,String(e.valid_from??"")),valid_until:y(this.hass,String(e.valid_until??""))}}async addPerson(e){let t=this.t;await u(t,{title:t("person.add_to",{unit:e}),confirm:t("common.add"),fields:this.personFields(),submit:o=>this.api.addPerson({unit:e,...this.personParams(o)})})&&await this.refresh()}async editPerson(e){let t=this.t;await u(t,{title:t("person.edit",{name:e.name}),confirm:t("common.save"),fields:this.personFields(e),submit:o=>this.api.updatePerson({person_id:e.person_id,...this.personParams(o)})})&&await this.refresh()}async setStatus(e){let t=this.t,i=e.status==="active";await u(t,{title:t(i?"person.suspend":"person.reactivate"),message:i?t("person.suspend_confirm",{name:e.name}):t("person.reactivate_confirm",{name:e.name}),confirm:t(i?"person.suspend":"person.reactivate"),danger:i,submit:()=>this.api.setPersonStatus(e.person_id,i?"suspended":"active")})&&await this.refresh()}async issueCard(e){let t=this.t;await u(t,{title:t("card.issue_to",{name:e.name}),confirm:t("card.issue"),fields:[{name:"card_number",label:t("card.number"),required:!0,hint:t("card.number_hint"),reader:this.api},{name:"deposit",label:t("card.deposit"),type:"number",min:0,step:"0.01"},{name:"valid_until",label:t("common.valid_until"),type:"datetime"}],submit:o=>this.api.issueCard({person_id:e.person_id,card_number:I(o.card_number),deposit:Se(o.deposit),valid_until:y(this.hass,String(o.valid_until??""))})})&&await this.refresh()}async addCredential(e){let t=this.t;await u(t,{title:t("credential.add_to",{name:e.name}),confirm:t("common.add"),fields:[{name:"kind",label:t("credential.kind"),type:"select",options:Vt.map(o=>({value:o,label:p(t,"kind",o)}))},{name:"value",label:t("credential.value"),type:"password",required:!0,hint:t("credential.value_hint")},{name:"valid_from",label:t("common.valid_from"),type:"datetime"},{name:"valid_until",label:t("common.valid_until"),type:"datetime"}],submit:o=>this.api.addCredential({person_id:e.person_id,kind:I(o.kind),value:I(o.value),valid_from:y(this.hass,String(o.valid_from??"")),valid_until:y(this.hass,String(o.valid_until??""))})})&&await this.refresh()}async reportLost(e){let t=this.t;await u(t,{title:t("card.report_lost"),message:t("card.report_lost_confirm",{masked:e.masked??""}),confirm:t("card.report_lost"),danger:!0,submit:()=>this.api.reportCardLost(e.credential_id)})&&await this.refresh()}async reissue(e){let t=this.t;await u(t,{title:t("card.reissue"),message:t("card.reissue_message",{masked:e.masked??""}),confirm:t("card.reissue"),fields:[{name:"card_number",label:t("card.new_number"),required:!0,hint:t("card.number_hint"),reader:this.api},{name:"fee",label:t("card.fee"),type:"number",min:0,step:"0.01"}],submit:o=>this.api.reissueCard(e.credential_id,I(o.card_number)??"",Se(o.fee))})&&await this.refresh()}async returnCard(e){let t=this.t;await u(t,{title:t("card.return"),message:t("card.return_message",{masked:e.masked??"",deposit:x(this.hass,e.deposit??0)}),confirm:t("card.return"),fields:[{name:"damaged",label:t("card.damaged"),type:"checkbox"}],submit:o=>this.api.returnCard(e.credential_id,!!o.damaged)})&&await this.refresh()}async revoke(e){let t=this.t;await u(t,{title:t("credential.revoke"),message:t("credential.revoke_confirm",{kind:p(t,"kind",e.kind),masked:e.masked??""}),confirm:t("credential.revoke"),danger:!0,submit:()=>this.api.revokeCredential(e.credential_id)})&&await this.refresh()}async moveOut(e){let t=this.t,i=await this.run(()=>this.api.moveOutPreview(e));if(!i)return;let o=i.refunds.map(c=>({name:String(c.credential_id),type:"checkbox",value:!0,label:t("moveout.returned",{masked:c.masked??"",deposit:x(this.hass,c.deposit)})})),n=i.refunds.reduce((c,h)=>c+(h.deposit||0),0);await u(t,{title:t("moveout.title",{unit:e}),message:a`<p>${t("moveout.summary",{people:i.people})}</p>
        <p>
          ${i.refunds.length?t("moveout.refunds",{count:i.refunds.length,total:x(this.hass,n)}):t("moveout.no_refunds")}
        </p>
        ${i.kept.length?a`<p class="muted">${t("moveout.kept",{count:i.kept.length})}</p>`:d}
        <p class="muted">${t("moveout.tick")}</p>`,fields:o,confirm:t("moveout.confirm"),danger:!0,submit:c=>this.api.moveOut(e,i.refunds.filter(h=>c[String(h.credential_id)]===!0).map(h=>h.credential_id))})&&(await this.refresh(),await this.load(),this.notice=t("moveout.done",{unit:e}))}renderList(){let e=this.t,t=this.page;return a`<div class="card">
      <div class="row" style="margin-bottom:12px">
        <input
          type="search"
          placeholder=${e("households.search")}
          aria-label=${e("households.search")}
          .value=${this.search}
          @input=${this.onSearch}
        />
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.movedOut}
            @change=${i=>{this.movedOut=i.target.checked,this.offset=0,this.load()}}
          />${e("households.include_moved_out")}</label
        >
        <span class="spacer"></span>
        <button class="primary" @click=${this.addHousehold}>${e("households.add")}</button>
      </div>
      ${f(e,[{label:e("households.unit"),render:i=>i.unit},{label:e("households.people"),render:i=>i.people},{label:e("households.cards"),render:i=>i.card_quota?`${i.active_cards} / ${i.card_quota}`:i.active_cards},{label:e("common.status"),render:i=>i.moved_out?a`<span class="chip">${e("households.moved_out")}</span>`:a`<span class="chip good">${e("households.occupied")}</span>`}],t?.items??[],this.narrow,i=>{this.open(i.unit)})}
      ${t?k(e,this.offset,pt,t.total,i=>{this.offset=i,this.load()}):d}
    </div>`}renderDetail(e){let t=this.t,i=e.household,o=n=>(e.people??[]).find(l=>l.person_id===n)?.name??`#${n}`;return a`<div class="row" style="margin-bottom:12px">
        <button @click=${()=>this.detail=void 0}>← ${t("common.back")}</button>
        <h2 style="margin:0">${t("households.unit")} ${i.unit}</h2>
        ${i.moved_out?a`<span class="chip">${t("households.moved_out")}</span>`:d}
        <span class="spacer"></span>
        ${i.moved_out?d:a`<button @click=${()=>this.addPerson(i.unit)}>${t("person.add")}</button>
              <button class="danger" @click=${()=>this.moveOut(i.unit)}>${t("moveout.button")}</button>`}
      </div>
      <div class="card">
        <h3>${t("households.people")}</h3>
        ${f(t,[{label:t("person.name"),render:n=>n.name},{label:t("person.role"),render:n=>p(t,"role",n.role)},{label:t("common.status"),render:n=>a`<span class="chip ${n.status==="active"?"good":"bad"}"
                  >${p(t,"status",n.status)}</span
                >`},{label:t("person.id_number"),render:n=>n.id_number_masked??"—"},{label:t("person.phone"),render:n=>n.phone_masked??"—"},{label:t("common.valid_until"),render:n=>$(this.hass,n.valid_until)},{label:t("common.actions"),render:n=>n.status==="moved_out"?d:a`<div class="row">
                      <button @click=${()=>this.issueCard(n)}>${t("card.issue")}</button>
                      <button @click=${()=>this.addCredential(n)}>${t("credential.add")}</button>
                      <button @click=${()=>this.editPerson(n)}>${t("common.edit")}</button>
                      <button class=${n.status==="active"?"danger":""} @click=${()=>this.setStatus(n)}>
                        ${n.status==="active"?t("person.suspend"):t("person.reactivate")}
                      </button>
                    </div>`}],e.people??[],this.narrow)}
      </div>
      <div class="card">
        <h3>${t("credentials.title")}</h3>
        ${f(t,[{label:t("credential.kind"),render:n=>p(t,"kind",n.kind)},{label:t("credential.masked"),render:n=>n.masked??"—"},{label:t("person.name"),render:n=>o(n.person_id)},{label:t("common.status"),render:n=>a`<span class="chip ${n.status==="active"?"good":n.status==="lost"?"bad":""}"
                  >${p(t,"cred_status",n.status)}</span
                >`},{label:t("card.deposit"),render:n=>n.deposit?x(this.hass,n.deposit):"—"},{label:t("common.valid_until"),render:n=>$(this.hass,n.valid_until)},{label:t("common.actions"),render:n=>this.credentialActions(n)}],e.credentials??[],this.narrow)}
      </div>
      <div class="card">
        <h3>${t("statement.title")}</h3>
        <p>
          ${t("statement.balance")}: <strong>${x(this.hass,e.statement?.balance)}</strong> ·
          ${t("statement.deposits_held")}: <strong>${x(this.hass,e.statement?.deposits_held)}</strong>
        </p>
        ${f(t,[{label:t("statement.at"),render:n=>w(this.hass,n.at)},{label:t("statement.kind"),render:n=>p(t,"ledger",n.kind)},{label:t("statement.amount"),render:n=>x(this.hass,n.amount)},{label:t("statement.note"),render:n=>n.note??""}],e.statement?.entries??[],this.narrow)}
      </div>
      ${e.links?.users?.length||e.links?.notify_services?.length?a`<div class="card">
            <h3>${t("households.links")}</h3>
            <p>${(e.links.users??[]).map(n=>n.name).join(", ")}</p>
            <p class="muted">${(e.links.notify_services??[]).join(", ")}</p>
          </div>`:d}`}credentialActions(e){let t=this.t;return e.kind==="card"?e.status==="active"?a`<div class="row">
          <button class="danger" @click=${()=>this.reportLost(e)}>${t("card.report_lost")}</button>
          <button @click=${()=>this.returnCard(e)}>${t("card.return")}</button>
        </div>`:e.status==="lost"?a`<div class="row">
          <button @click=${()=>this.reissue(e)}>${t("card.reissue")}</button>
        </div>`:d:e.status==="active"?a`<button class="danger" @click=${()=>this.revoke(e)}>${t("credential.revoke")}</button>`:d}render(){return a`${_(this.error,this.notice)}
    ${this.detail?this.renderDetail(this.detail):this.renderList()}`}};customElements.get("ca-office-households")||customElements.define("ca-office-households",Te);var de=50,ut={pending:["pending"],upcoming:["expected","approved"],on_site:["on_site","overdue"],overdue:["overdue"],active:["pending","expected","approved","on_site","overdue"],closed:["closed"],all:void 0},mt={pending:"pending",expected:"upcoming",approved:"upcoming",upcoming:"upcoming",on_site:"on_site",overdue:"overdue",closed:"closed",all:"all"},Ie=class extends m{constructor(){super(...arguments);this.filter={};this.section="visits";this.status="active";this.offset=0;this.wOffset=0}static{this.properties={...m.properties,filter:{attribute:!1},section:{state:!0},status:{state:!0},offset:{state:!0},page:{state:!0},wOffset:{state:!0},watch:{state:!0}}}communityChanged(){let e=this.filter?.status;typeof e=="string"&&e in mt&&(this.status=mt[e],this.section="visits"),this.offset=0,this.wOffset=0,this.load()}async load(){await this.run(async()=>{if(this.section==="watchlist"){this.watch=await this.api.watchlist({offset:this.wOffset,limit:de});return}this.page=await this.api.visits({status:ut[this.status],offset:this.offset,limit:de})})}show(e){this.section=e,this.notice="",this.load()}async decide(e,t){let i=this.t;await u(i,{title:i(t?"visit.approve":"visit.deny"),message:i(t?"visit.approve_confirm":"visit.deny_confirm",{name:e.visitor_name,unit:e.unit}),confirm:i(t?"visit.approve":"visit.deny"),danger:!t,submit:()=>t?this.api.approveVisit(e.visit_id):this.api.denyVisit(e.visit_id)})&&await this.load()}async preregister(){let e=this.t,t;if(await u(e,{title:e("visitors.preregister"),confirm:e("visitors.preregister"),fields:[{name:"unit",label:e("households.unit"),required:!0},{name:"name",label:e("visit.visitor"),required:!0},{name:"phone",label:e("person.phone"),type:"tel",required:!0},{name:"start",label:e("home.arrives"),type:"datetime",required:!0},{name:"end",label:e("home.leaves"),type:"datetime",required:!0},{name:"id_number",label:e("person.id_number"),hint:e("home.id_optional")}],submit:async o=>{t=await this.api.officePreregister({unit:String(o.unit??"").trim(),name:String(o.name??"").trim(),phone:String(o.phone??"").trim(),start:y(this.hass,String(o.start??"")),end:y(this.hass,String(o.end??"")),id_number:String(o.id_number??"").trim()||void 0})}})&&t){let{code:o,...n}=t;this.status="upcoming",this.offset=0,await this.load(),this.notice=e("home.preregistered",{name:n.visitor_name}),o&&await F(e,e("visitors.preregister"),e("home.code_for",{name:n.visitor_name}),o)}}async bar(){let e=this.t;await u(e,{title:e("watchlist.add"),message:e("watchlist.add_confirm"),confirm:e("watchlist.add"),danger:!0,fields:[{name:"name",label:e("visit.visitor"),required:!0},{name:"id_number",label:e("person.id_number"),required:!0,hint:e("watchlist.id_hint")},{name:"reason",label:e("watchlist.reason"),type:"textarea"}],submit:i=>this.api.barVisitor({name:String(i.name??"").trim(),id_number:String(i.id_number??"").trim(),reason:String(i.reason??"").trim()||void 0})})&&(this.wOffset=0,await this.load(),this.notice=e("watchlist.added"))}async unbar(e){let t=this.t;await u(t,{title:t("watchlist.remove"),message:t("watchlist.remove_confirm",{name:e.name??"—"}),confirm:t("watchlist.remove"),submit:()=>this.api.unbarVisitor(e.watch_id)})&&(await this.load(),this.notice=t("watchlist.removed"))}render(){let e=this.t;return a`${_(this.error,this.notice)}
      <nav class="tabs" role="tablist">
        ${["visits","watchlist"].map(t=>a`<button role="tab" aria-selected=${this.section===t?"true":"false"} @click=${()=>this.show(t)}>
              ${e(t==="visits"?"visitors.visits":"watchlist.title")}
            </button>`)}
      </nav>
      ${this.section==="visits"?this.renderVisits():this.renderWatchList()}`}renderVisits(){let e=this.t;return a`<div class="card">
      <div class="row" style="margin-bottom:12px">
        <label class="field"
          >${e("common.status")}
          <select
            @change=${t=>{this.status=t.target.value,this.offset=0,this.load()}}
          >
            ${Object.keys(ut).map(t=>a`<option value=${t} ?selected=${t===this.status}>${p(e,"visit_filter",t)}</option>`)}
          </select></label
        >
        <span class="spacer"></span>
        <button @click=${()=>this.load()}>${e("common.refresh")}</button>
        <button class="primary" @click=${()=>this.preregister()}>${e("visitors.preregister")}</button>
      </div>
      ${f(e,[{label:e("visit.visitor"),render:t=>t.visitor_name},{label:e("households.unit"),render:t=>t.unit},{label:e("common.status"),render:t=>a`<span class="chip ${t.status==="overdue"?"bad":t.status==="pending"?"warn":""}"
                >${p(e,"visit_status",t.status)}</span
              >`},{label:e("visit.pass"),render:t=>p(e,"pass",t.pass_kind)},{label:e("visit.window"),render:t=>q(this.hass,t.window_start,t.window_end)},{label:e("visit.registered"),render:t=>w(this.hass,t.registered_at)},{label:e("common.actions"),render:t=>t.status==="pending"?a`<div class="row">
                    <button class="primary" @click=${()=>this.decide(t,!0)}>${e("visit.approve")}</button>
                    <button class="danger" @click=${()=>this.decide(t,!1)}>${e("visit.deny")}</button>
                  </div>`:d}],this.page?.items??[],this.narrow)}
      ${this.page?k(e,this.offset,de,this.page.total,t=>{this.offset=t,this.load()}):d}
    </div>`}renderWatchList(){let e=this.t;return a`<div class="card watchlist">
      <div class="row" style="margin-bottom:12px">
        <p class="muted" style="margin:0">${e("watchlist.explain")}</p>
        <span class="spacer"></span>
        <button class="primary" @click=${()=>this.bar()}>${e("watchlist.add")}</button>
      </div>
      ${f(e,[{label:e("visit.visitor"),render:t=>t.name??"—"},{label:e("watchlist.reason"),render:t=>t.reason??"—"},{label:e("watchlist.added_at"),render:t=>w(this.hass,t.added_at)},{label:e("common.actions"),render:t=>a`<button @click=${()=>this.unbar(t)}>${e("watchlist.remove")}</button>`}],this.watch?.items??[],this.narrow)}
      ${this.watch?k(e,this.wOffset,de,this.watch.total,t=>{this.wOffset=t,this.load()}):d}
    </div>`}};customElements.get("ca-office-visitors")||customElements.define("ca-office-visitors",Ie);var D=50,Lt=["using_anothers_card","lending_card","tampering","tailgating","other"],Ht=["warning","restriction","suspension","public_notice","report","fine"];function z(r,s,e){return r?s?`${r} · ${s}`:r:e===null?"—":`#${e}`}var Oe=class extends m{constructor(){super(...arguments);this.openOnly=!0;this.activeOnly=!0;this.vOffset=0;this.pOffset=0;this.noticesActive=!0;this.nOffset=0;this.cOffset=0;this.search=e=>this.api.peopleSearch(e,20)}static{this.properties={...m.properties,openOnly:{state:!0},activeOnly:{state:!0},vOffset:{state:!0},pOffset:{state:!0},violations:{state:!0},penalties:{state:!0},noticesActive:{state:!0},nOffset:{state:!0},notices:{state:!0},cOffset:{state:!0},commendations:{state:!0}}}communityChanged(){this.vOffset=0,this.pOffset=0,this.nOffset=0,this.cOffset=0,this.load()}async load(){await this.run(async()=>{let[e,t,i,o]=await Promise.all([this.api.violations({open_only:this.openOnly,offset:this.vOffset,limit:D}),this.api.penalties({active_only:this.activeOnly,offset:this.pOffset,limit:D}),this.api.notices({active_only:this.noticesActive,offset:this.nOffset,limit:D}),this.api.commendations({offset:this.cOffset,limit:D})]);this.violations=e,this.penalties=t,this.notices=i,this.commendations=o})}async record(){let e=this.t;await u(e,{title:e("rules.record"),confirm:e("rules.record"),fields:[{name:"person_id",label:e("rules.person"),type:"person",required:!0,search:this.search},{name:"kind",label:e("rules.kind"),type:"select",options:Lt.map(i=>({value:i,label:p(e,"violation",i)}))},{name:"note",label:e("rules.note"),type:"textarea"}],submit:i=>this.api.recordViolation({person_id:i.person_id,kind:i.kind,note:typeof i.note=="string"?i.note.trim():void 0})})&&(await this.load(),this.notice=e("rules.recorded"))}async commend(){let e=this.t;await u(e,{title:e("rules.commend"),message:e("rules.commend_hint"),confirm:e("rules.commend"),fields:[{name:"person_id",label:e("rules.person"),type:"person",required:!0,search:this.search},{name:"note",label:e("rules.note"),type:"textarea"}],submit:i=>this.api.recordCommendation({person_id:i.person_id,note:typeof i.note=="string"&&i.note.trim()?i.note.trim():void 0})})&&(await this.load(),this.notice=e("rules.commended"))}async apply(e){let t=this.t;await u(t,{title:t("rules.apply"),message:e?t("rules.apply_for",{person:z(e.person_name,e.unit,e.person_id),kind:p(t,"violation",e.kind)}):void 0,confirm:t("rules.apply"),fields:[...e?[]:[{name:"person_id",label:t("rules.person"),type:"person",required:!0,search:this.search}],{name:"kind",label:t("rules.penalty_kind"),type:"select",options:Ht.map(o=>({value:o,label:p(t,"penalty",o)}))},{name:"days",label:t("rules.days"),type:"number",min:1},{name:"amount",label:t("rules.amount"),type:"number",min:0,step:"0.01"},{name:"note",label:t("rules.note"),type:"textarea"}],submit:o=>this.api.applyPenalty({person_id:e?e.person_id:o.person_id,violation_id:e?.violation_id,kind:o.kind,days:o.days?Number(o.days):void 0,amount:o.amount?Number(o.amount):void 0,note:typeof o.note=="string"?o.note.trim():void 0})})&&await this.load()}async lift(e){let t=this.t;await u(t,{title:t("rules.lift"),message:t("rules.lift_confirm",{kind:p(t,"penalty",e.kind),person:z(e.person_name,e.unit,e.person_id)}),confirm:t("rules.lift"),submit:()=>this.api.liftPenalty(e.penalty_id)})&&await this.load()}render(){let e=this.t;return a`${_(this.error,this.notice)}
      <div class="card">
        <div class="row" style="margin-bottom:12px">
          <h3 style="margin:0">${e("rules.violations")}</h3>
          <label class="check"
            ><input
              type="checkbox"
              .checked=${this.openOnly}
              @change=${t=>{this.openOnly=t.target.checked,this.vOffset=0,this.load()}}
            />${e("rules.open_only")}</label
          >
          <span class="spacer"></span>
          <button class="primary" @click=${()=>this.record()}>${e("rules.record")}</button>
        </div>
        ${f(e,[{label:e("statement.at"),render:t=>w(this.hass,t.at)},{label:e("rules.person"),render:t=>z(t.person_name,t.unit,t.person_id)},{label:e("rules.kind"),render:t=>p(e,"violation",t.kind)},{label:e("rules.note"),render:t=>t.note??""},{label:e("common.status"),render:t=>p(e,"violation_status",t.status)},{label:e("common.actions"),render:t=>t.person_id!==null?a`<button @click=${()=>this.apply(t)}>${e("rules.apply")}</button>`:d}],this.violations?.items??[],this.narrow)}
        ${this.violations?k(e,this.vOffset,D,this.violations.total,t=>{this.vOffset=t,this.load()}):d}
      </div>
      <div class="card">
        <div class="row" style="margin-bottom:12px">
          <h3 style="margin:0">${e("rules.penalties")}</h3>
          <label class="check"
            ><input
              type="checkbox"
              .checked=${this.activeOnly}
              @change=${t=>{this.activeOnly=t.target.checked,this.pOffset=0,this.load()}}
            />${e("rules.active_only")}</label
          >
          <span class="spacer"></span>
          <button @click=${()=>this.apply()}>${e("rules.apply")}</button>
        </div>
        ${f(e,[{label:e("rules.person"),render:t=>z(t.person_name,t.unit,t.person_id)},{label:e("rules.penalty_kind"),render:t=>p(e,"penalty",t.kind)},{label:e("common.valid_from"),render:t=>$(this.hass,t.start)},{label:e("common.valid_until"),render:t=>$(this.hass,t.end??t.deadline)},{label:e("rules.amount"),render:t=>t.amount?x(this.hass,t.amount):"—"},{label:e("common.status"),render:t=>t.lifted_at?a`<span class="chip">${e("rules.lifted")} ${$(this.hass,t.lifted_at)}</span>`:a`<span class="chip bad">${e("rules.in_force")}</span>`},{label:e("common.actions"),render:t=>t.lifted_at?d:a`<button @click=${()=>this.lift(t)}>${e("rules.lift")}</button>`}],this.penalties?.items??[],this.narrow)}
        ${this.penalties?k(e,this.pOffset,D,this.penalties.total,t=>{this.pOffset=t,this.load()}):d}
      </div>
      ${this.renderCommendations()} ${this.renderNotices()}`}renderCommendations(){let e=this.t;return a`<div class="card commendations">
      <div class="row" style="margin-bottom:12px">
        <h3 style="margin:0">${e("rules.commendations")}</h3>
        <span class="spacer"></span>
        <button @click=${()=>this.commend()}>${e("rules.commend")}</button>
      </div>
      ${f(e,[{label:e("statement.at"),render:t=>w(this.hass,t.at)},{label:e("rules.person"),render:t=>z(t.person_name,t.unit,t.person_id)},{label:e("rules.note"),render:t=>t.note??""}],this.commendations?.items??[],this.narrow)}
      ${this.commendations?k(e,this.cOffset,D,this.commendations.total,t=>{this.cOffset=t,this.load()}):d}
    </div>`}renderNotices(){let e=this.t;return a`<div class="card notices">
      <div class="row" style="margin-bottom:12px">
        <h3 style="margin:0">${e("notices.title")}</h3>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.noticesActive}
            @change=${t=>{this.noticesActive=t.target.checked,this.nOffset=0,this.load()}}
          />${e("rules.active_only")}</label
        >
      </div>
      ${f(e,[{label:e("rules.person"),render:t=>z(t.person_name,t.unit,null)},{label:e("notices.reason"),render:t=>[t.reason,t.note].filter(Boolean).join(" — ")||"—"},{label:e("common.valid_from"),render:t=>$(this.hass,t.start)},{label:e("common.valid_until"),render:t=>$(this.hass,t.end)},{label:e("notices.regulation"),render:t=>t.regulation},{label:e("common.status"),render:t=>t.lifted_at?a`<span class="chip">${e("rules.lifted")} ${$(this.hass,t.lifted_at)}</span>`:a`<span class="chip bad">${e("rules.in_force")}</span>`}],this.notices?.items??[],this.narrow)}
      ${this.notices?k(e,this.nOffset,D,this.notices.total,t=>{this.nOffset=t,this.load()}):d}
    </div>`}};customElements.get("ca-office-rules")||customElements.define("ca-office-rules",Oe);var le=50,Nt=["granted","unknown_door","unknown_credential","lost","returned","cancelled","expired","not_yet_valid","suspended","moved_out","zone_not_allowed","outside_time_window","remote_open","guard_verified","restricted","anti_passback","keypad_locked","pass_used","face_alone","escape_route","emergency_release","lockdown","maintenance","not_accompanied","patrol"];function Mt(r,s){return!(r.person_id!==void 0&&s.person_id!==r.person_id||r.unit&&s.unit!==r.unit&&!(s.unit??"").startsWith(r.unit)||r.door_id&&s.door_id!==r.door_id||r.granted!==void 0&&s.granted!==r.granted||r.reason&&s.reason!==r.reason||r.start&&s.at<r.start||r.end&&s.at>r.end)}var Re=class extends m{constructor(){super(...arguments);this.preset={};this.offset=0;this.doors=[];this.person=null;this.unit="";this.door="";this.result="";this.reason="";this.start="";this.end="";this.fullNames=!1;this.live=!1;this.fresh=new Set;this.reloadOnReconnect=!0}static{this.properties={...m.properties,preset:{attribute:!1},page:{state:!0},offset:{state:!0},doors:{state:!0},person:{state:!0},unit:{state:!0},door:{state:!0},result:{state:!0},reason:{state:!0},start:{state:!0},end:{state:!0},fullNames:{state:!0},live:{state:!0},fresh:{state:!0}}}communityChanged(){this.stop();let e=this.preset??{};e.granted===!0&&(this.result="granted"),e.granted===!1&&(this.result="denied"),e.today&&(this.start=ct(this.hass)),this.offset=0,this.api.devices().then(i=>this.doors=i).catch(()=>{});let t=this.api.subscribe("office/subscribe_access",{},i=>this.onRecord(i.record));this.unsub=t,t.then(()=>{this.live=!0,this.unsub===t&&this.load()},()=>{this.live=!1,this.unsub===t&&this.load()})}onRecord(e){!e||this.offset!==0||!Mt(this.filter(),e)||(this.arrived?.push(e),!(!this.page||this.page.items.some(t=>t.record_id===e.record_id))&&(this.fresh=new Set([...this.fresh,e.record_id]),this.page={total:this.page.total+1,items:[e,...this.page.items].slice(0,le)}))}stop(){let e=this.unsub;this.unsub=void 0,this.live=!1,e?.then(t=>t()).catch(()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.stop()}filter(){return{person_id:this.person?.person_id,unit:this.unit.trim()||void 0,door_id:this.door||void 0,granted:this.result==="granted"?!0:this.result==="denied"?!1:void 0,reason:this.reason||void 0,start:y(this.hass,this.start),end:y(this.hass,this.end)}}async load(){let e=[];this.arrived=e,await this.run(async()=>{let t=await this.api.accessLog({...this.filter(),offset:this.offset,limit:le});if(this.arrived!==e)return;let i=e.filter(o=>!t.items.some(n=>n.record_id===o.record_id)).reverse();this.page={total:t.total+i.length,items:[...i,...t.items].slice(0,le)},this.fresh=new Set(e.map(o=>o.record_id))}).finally(()=>{this.arrived===e&&(this.arrived=void 0)})}apply(){this.offset=0,this.load()}async exportCsv(){let e=await this.run(()=>this.api.accessLogCsv(this.filter(),this.fullNames));e&&ae(e.filename,e.csv)}clear(){this.person=null,this.unit=this.door=this.result=this.reason=this.start=this.end="";let e=this.renderRoot.querySelector("ca-person-picker");e&&(e.chosen=null,e.query=""),this.apply()}renderFilters(){let e=this.t,t=i=>o=>i(o.target.value);return a`<div class="form">
        <ca-person-picker
          .t=${e}
          .search=${i=>this.api.peopleSearch(i,20)}
          label=${e("access.person")}
          @value-changed=${i=>this.person=i.detail.value}
        ></ca-person-picker>
        <label class="field"
          >${e("households.unit")}<input .value=${this.unit} @input=${t(i=>this.unit=i)} placeholder="3-2-501"
        /></label>
        <label class="field"
          >${e("access.door")}
          <select @change=${t(i=>this.door=i)}>
            <option value="" ?selected=${!this.door}>${e("common.all")}</option>
            ${this.doors.map(i=>a`<option value=${i.door_id} ?selected=${i.door_id===this.door}>${i.name}</option>`)}
          </select></label
        >
        <label class="field"
          >${e("access.result")}
          <select @change=${t(i=>this.result=i)}>
            <option value="" ?selected=${!this.result}>${e("common.all")}</option>
            <option value="granted" ?selected=${this.result==="granted"}>${e("access.granted")}</option>
            <option value="denied" ?selected=${this.result==="denied"}>${e("access.denied")}</option>
          </select></label
        >
        <label class="field"
          >${e("access.reason")}
          <select @change=${t(i=>this.reason=i)}>
            <option value="" ?selected=${!this.reason}>${e("common.all")}</option>
            ${Nt.map(i=>a`<option value=${i} ?selected=${i===this.reason}>${p(e,"reason",i)}</option>`)}
          </select></label
        >
        <label class="field"
          >${e("access.from")}<input type="datetime-local" .value=${this.start} @input=${t(i=>this.start=i)}
        /></label>
        <label class="field"
          >${e("access.to")}<input type="datetime-local" .value=${this.end} @input=${t(i=>this.end=i)}
        /></label>
      </div>
      <div class="row" style="margin:12px 0">
        <button class="primary" @click=${this.apply}>${e("access.apply")}</button>
        <button @click=${this.clear}>${e("access.clear")}</button>
        <span class="spacer"></span>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.fullNames}
            @change=${i=>this.fullNames=i.target.checked}
          />${e("access.full_names")}</label
        >
        <button @click=${this.exportCsv}>${e("access.export")}</button>
      </div>
      ${this.fullNames?a`<p class="muted">${e("access.full_names_audit")}</p>`:d}`}render(){let e=this.t;return a`${_(this.error,this.notice)}
      <div class="card">${this.renderFilters()}</div>
      <div class="card">
        <div class="row">
          <h3 style="margin:0">${e("office.tab.access")}</h3>
          <span class="spacer"></span>
          ${this.live?a`<span class="chip good">● ${e("common.live")}</span>`:d}
        </div>
        ${f(e,[{label:e("access.at"),render:t=>a`${w(this.hass,t.at)}${this.fresh.has(t.record_id)?a` <span class="chip">${e("access.new")}</span>`:d}`},{label:e("access.door"),render:t=>t.door},{label:e("access.person"),render:t=>t.person_name??"—"},{label:e("households.unit"),render:t=>t.unit??"—"},{label:e("credential.kind"),render:t=>p(e,"kind",t.kind)},{label:e("access.result"),render:t=>a`<span class="chip ${t.granted?"good":"bad"}"
                  >${t.granted?e("access.granted"):e("access.denied")}</span
                >`},{label:e("access.reason"),render:t=>t.reason_text||p(e,"reason",t.reason)}],this.page?.items??[],this.narrow)}
        ${this.page?k(e,this.offset,le,this.page.total,t=>{this.offset=t,this.load()}):d}
      </div>`}};customElements.get("ca-office-access")||customElements.define("ca-office-access",Re);function De(r){let s=r.lock_codes?.problems;return Array.isArray(s)?s.length:typeof s=="number"?s:0}var Ve=class extends m{static{this.properties={...m.properties,devices:{state:!0},lines:{state:!0}}}communityChanged(){this.load()}async load(){await this.run(async()=>{this.devices=await this.api.devices(),this.lines=await this.api.osdpLines()})}async pair(s){let e=this.t,t=this.lines??[],i;if(!await u(e,{title:e("osdp.pair"),confirm:e("osdp.pair"),progress:e("osdp.pairing"),fields:[{name:"line",label:e("osdp.line"),type:"select",required:!0,value:s?.line_id,options:t.map(l=>({value:l.line_id,label:l.title}))},{name:"address",label:e("osdp.address"),type:"number",min:0,step:"1",required:!0,hint:e("osdp.address_hint")},{name:"door_id",label:e("osdp.door"),type:"select",required:!0,options:(this.devices??[]).map(l=>({value:l.door_id,label:l.name}))},{name:"name",label:e("osdp.name")}],submit:async l=>{i=await this.api.osdpPair({line:String(l.line),address:Number(l.address),door_id:String(l.door_id),...l.name?{name:String(l.name)}:{}})}})||!i)return;let n=i.reader;await u(e,{title:e("osdp.paired_title"),message:e("osdp.paired",{reader:n.name,address:n.address,door:n.door??n.door_id,secure:i.secure_channel?e("osdp.yes"):e("osdp.no"),model:i.identity.model,serial:i.identity.serial}),confirm:e("code.done"),noCancel:!0,submit:async()=>{}}),await this.load()}renderReaders(s){let e=this.t;return s.readers.length?f(e,[{label:e("osdp.address"),render:t=>String(t.address)},{label:e("osdp.name"),render:t=>a`${t.name}<br /><span class="muted">${t.door??t.door_id}</span>`},{label:e("osdp.state"),render:t=>a`<span class="chip ${t.online?"good":"bad"}">${t.online?e("devices.is_online"):e("devices.is_offline")}</span>
              <span class="chip ${t.secure?"good":"warn"}">${t.secure?e("osdp.secure"):e("osdp.plain")}</span>
              <span class="chip ${t.paired?"good":"warn"}">${t.paired?e("osdp.key_own"):e("osdp.key_none")}</span>`},{label:e("osdp.identity"),render:t=>t.identity?`${t.identity.vendor} · ${t.identity.model} · ${t.identity.serial}`:"—"}],s.readers,this.narrow):a`<p class="muted">${e("osdp.no_readers")}</p>`}renderOsdp(){let s=this.t,e=this.lines??[];return a`<div class="card">
      <div class="row" style="margin-bottom:12px">
        <h3 style="margin:0">${s("osdp.title")}</h3>
        <span class="spacer"></span>
        ${e.length?a`<button class="primary" ?disabled=${this.busy} @click=${()=>this.pair()}>${s("osdp.pair")}</button>`:d}
      </div>
      ${e.length?e.map(t=>a`<h4>
                ${t.title} <span class="muted">${t.port}</span>
                ${t.connected?d:a`<span class="chip bad">${s("osdp.line_down")}</span>`}
              </h4>
              ${this.renderReaders(t)}`):a`<p class="muted">${s("osdp.no_lines")}</p>`}
    </div>`}async open(s){let e=this.t;await u(e,{title:e("devices.open"),message:e("devices.open_confirm",{door:s.name}),confirm:e("devices.open"),danger:!0,submit:()=>this.api.openDoor(s.door_id)})&&(this.notice=e("devices.opened",{door:s.name}))}async resync(s){let e=this.t;await this.run(()=>this.api.resyncLock(s.door_id),e("devices.resync_started",{door:s.name}))!==void 0&&await this.load()}render(){let s=this.t;return a`${_(this.error,this.notice)}
      <div class="card">
        <div class="row" style="margin-bottom:12px">
          <h3 style="margin:0">${s("office.tab.devices")}</h3>
          <span class="spacer"></span>
          <button @click=${()=>this.load()}>${s("common.refresh")}</button>
        </div>
        ${f(s,[{label:s("access.door"),render:e=>a`${e.name}<br /><span class="muted">${e.zone}</span>`},{label:s("devices.direction"),render:e=>a`${p(s,"direction",e.direction)}${e.escape_route?a` <span class="chip warn">${s("devices.escape_route")}</span>`:d}`},{label:s("devices.online"),render:e=>e.online===null?"—":a`<span class="chip ${e.online?"good":"bad"}"
                      >${e.online?s("devices.is_online"):s("devices.is_offline")}</span
                    >`},{label:s("devices.lock"),render:e=>e.lock_entity?a`${p(s,"lock_state",e.lock_state)}<br /><span class="muted">${e.lock_entity}</span>`:"—"},{label:s("devices.readers"),render:e=>a`${(e.reader_entities??[]).join(", ")||"—"}${e.line?a`<br /><span class="muted">${e.line}</span>`:d}`},{label:s("devices.codes"),render:e=>e.lock_codes?a`<span class="chip ${De(e)?"bad":"good"}"
                      >${p(s,"sync",e.lock_codes.state)}</span
                    >${De(e)?a` ${s("devices.problems",{count:De(e)})}`:d}`:"—"},{label:s("common.actions"),render:e=>a`<div class="row">
                  <button class="danger" @click=${()=>this.open(e)}>${s("devices.open")}</button>
                  ${e.lock_entity?a`<button ?disabled=${this.busy} @click=${()=>this.resync(e)}>${s("devices.resync")}</button>`:d}
                </div>`}],this.devices??[],this.narrow)}
      </div>
      ${this.lines?this.renderOsdp():d}`}};customElements.get("ca-office-devices")||customElements.define("ca-office-devices",Ve);var qt=4*1024*1024-4096;function Ft(r){let s="";for(let e=0;e<r.length;e+=32768)s+=String.fromCharCode(...r.subarray(e,e+32768));return btoa(s)}var Le=class extends m{constructor(){super(...arguments);this.fileName="";this.csv=""}static{this.properties={...m.properties,fileName:{state:!0},result:{state:!0}}}async pick(e){let t=e.target,i=t.files?.[0];if(t.value="",this.result=void 0,this.csv="",this.fileName="",!i)return;let o=Ft(new Uint8Array(await i.arrayBuffer()));if(o.length>qt){this.error=this.t("import.too_big");return}this.fileName=i.name,this.csv=o,await this.check()}async check(){let e=await this.run(()=>this.api.importCsv(this.csv,!0));e&&(this.result=e)}async write(){let e=this.t,t=this.result;if(!t)return;await u(e,{title:e("import.write"),message:e("import.write_confirm",{households:t.households,people:t.people,cards:t.cards}),confirm:e("import.write"),submit:async()=>{let o=await this.api.importCsv(this.csv,!1);this.result=o}})&&this.result?.written&&(this.notice=e("import.written",{rows:this.result.rows}))}async file(e){let t=await this.run(()=>e==="template"?this.api.csvTemplate():this.api.exportCsv());t&&ae(t.filename,t.csv)}render(){let e=this.t,t=this.result;return a`${_(this.error,this.notice)}
      <div class="card">
        <h3>${e("import.title")}</h3>
        <p class="muted">${e("import.help")}</p>
        <div class="row">
          <input id="file" type="file" accept=".csv,text/csv" hidden @change=${this.pick} />
          <button
            class="primary"
            @click=${()=>this.renderRoot.querySelector("#file")?.click()}
          >
            ${e("import.choose")}
          </button>
          ${this.fileName?a`<span>${this.fileName}</span>`:d}
          <span class="spacer"></span>
          <button @click=${()=>this.file("template")}>${e("import.template")}</button>
          <button @click=${()=>this.file("export")}>${e("import.export")}</button>
        </div>
        ${this.busy?a`<p class="muted">${e("import.checking")}</p>`:d}
      </div>
      ${t?a`<div class="card">
            <h3>${t.written?e("import.result_written"):e("import.result_dry",{file:this.fileName})}</h3>
            <p>${e("import.counts",{rows:t.rows,households:t.households,people:t.people,cards:t.cards})}</p>
            ${t.errors?.length?a`<div class="banner" role="alert">${e("import.has_errors",{count:t.errors.length})}</div>
                  ${f(e,[{label:e("import.line"),render:i=>i.line??"—"},{label:e("import.column"),render:i=>i.column},{label:e("import.reason"),render:i=>i.reason}],t.errors,this.narrow)}`:t.written?d:a`<div class="row">
                    <span class="ok">${e("import.no_errors")}</span>
                    <span class="spacer"></span>
                    <button class="primary" ?disabled=${!t.rows} @click=${this.write}>${e("import.write")}</button>
                  </div>`}
          </div>`:d}`}};customElements.get("ca-office-import")||customElements.define("ca-office-import",Le);var ht=[["today","office.tab.today"],["households","office.tab.households"],["visitors","office.tab.visitors"],["rules","office.tab.rules"],["access","office.tab.access"],["devices","office.tab.devices"],["import","office.tab.import"]],He=class extends m{constructor(){super(...arguments);this.tab="today";this.filter={}}static{this.properties={...m.properties,tab:{state:!0},filter:{state:!0}}}connectedCallback(){super.connectedCallback();let e=window.location.hash.replace("#","");ht.some(([t])=>t===e)&&(this.tab=e)}go(e,t={}){this.tab=e,this.filter=t,history.replaceState(history.state,"",`#${e}`)}renderTab(){let e={hass:this.hass,api:this.api,narrow:this.narrow};switch(this.tab){case"households":return a`<ca-office-households .hass=${e.hass} .api=${e.api} .narrow=${e.narrow}></ca-office-households>`;case"visitors":return a`<ca-office-visitors
          .hass=${e.hass}
          .api=${e.api}
          .narrow=${e.narrow}
          .filter=${this.filter}
        ></ca-office-visitors>`;case"rules":return a`<ca-office-rules .hass=${e.hass} .api=${e.api} .narrow=${e.narrow}></ca-office-rules>`;case"access":return a`<ca-office-access
          .hass=${e.hass}
          .api=${e.api}
          .narrow=${e.narrow}
          .preset=${this.filter}
        ></ca-office-access>`;case"devices":return a`<ca-office-devices .hass=${e.hass} .api=${e.api} .narrow=${e.narrow}></ca-office-devices>`;case"import":return a`<ca-office-import .hass=${e.hass} .api=${e.api} .narrow=${e.narrow}></ca-office-import>`;default:return a`<ca-office-today
          .hass=${e.hass}
          .api=${e.api}
          .narrow=${e.narrow}
          @ca-navigate=${t=>this.go(t.detail.tab,t.detail.filter)}
        ></ca-office-today>`}}render(){return a`<nav class="tabs" role="tablist">
        ${ht.map(([e,t])=>a`<button role="tab" aria-selected=${this.tab===e?"true":"false"} @click=${()=>this.go(e)}>
              ${this.t(t)}
            </button>`)}
      </nav>
      ${this.renderTab()}`}};customElements.get("ca-office-view")||customElements.define("ca-office-view",He);function V(r,s,e){let t=r.findIndex(i=>i.visit_id===s.visit_id);return t>=0?[...r.slice(0,t),s,...r.slice(t+1)]:e?[s,...r]:r}function U(r,s){return r.some(e=>e.visit_id===s.visit_id)?r.filter(e=>e.visit_id!==s.visit_id):r}var Ne=class extends m{constructor(){super(...arguments);this.live=!1;this.reg={pass_kind:"card"};this.mine=new Set;this.checkin={};this.gv={};this.gvPerson=null;this.goods={};this.inspection={};this.reloadOnReconnect=!0;this.pendingEvents=[];this.alarms=[]}static{this.properties={...m.properties,data:{state:!0},live:{state:!0},reg:{state:!0},mine:{state:!0},checkin:{state:!0},gv:{state:!0},gvPerson:{state:!0},alarms:{state:!0},goods:{state:!0},goodsResult:{state:!0},inspection:{state:!0}}}communityChanged(){this.stop(),this.data=void 0,this.pendingEvents=[];let e=this.api.subscribe("gate/subscribe",{},i=>this.onEvent(i));this.unsub=e;let t=()=>{this.unsub===e&&this.run(async()=>{let i=await this.api.gateOverview();this.data={pending:i.pending??[],on_site:i.on_site??[],overdue:i.overdue??[],expected_today:i.expected_today??[],recent:i.recent??[]};let o=this.pendingEvents;this.pendingEvents=[],o.forEach(n=>this.onEvent(n))})};e.then(()=>{this.live=!0,t()},()=>{this.live=!1,t()}),this.followAlarms()}followAlarms(){this.alarms=[];let e=this.api.subscribe("gate/alarms_subscribe",{},i=>this.onAlarm(i));this.alarmsUnsub=e;let t=()=>{this.alarmsUnsub===e&&this.run(async()=>{let i=await this.api.gateAlarms(),o=new Set(this.alarms.map(n=>n.alarm_id));this.alarms=[...this.alarms,...i.filter(n=>!o.has(n.alarm_id))].filter(ft)})};e.then(t,t)}onAlarm(e){let t=e.alarm,i=this.alarms.filter(n=>n.alarm_id!==t.alarm_id),o=i.length!==this.alarms.length;this.alarms=ft(t)?[t,...i].sort((n,l)=>l.started_at.localeCompare(n.started_at)):i,!o&&t.active&&(this.error=this.t("gate.alarm_new",{door:t.door??t.door_id,kind:p(this.t,"alarm_kind",t.kind)}))}async acknowledge(e){let t=this.t,i=e.door??e.door_id,o;await u(t,{title:t("gate.alarm_acknowledge"),message:t("gate.alarm_acknowledge_confirm",{door:i,kind:p(t,"alarm_kind",e.kind)}),confirm:t("gate.alarm_acknowledge"),fields:[{name:"note",label:t("rules.note"),type:"textarea"}],submit:async l=>{let c=String(l.note??"").trim();o=await this.api.acknowledgeAlarm(e.alarm_id,c||void 0)}})&&o&&(this.onAlarm({event:"alarm_acknowledged",alarm:o}),this.notice=t("gate.alarm_acknowledged_done",{door:i}))}renderAlarms(){let e=this.t;return this.alarms.length?f(e,[{label:e("gate.alarm_started"),render:t=>T(this.hass,t.started_at)},{label:e("access.door"),render:t=>t.door??t.door_id},{label:e("gate.alarm_kind"),render:t=>p(e,"alarm_kind",t.kind)},{label:e("gate.alarm_state"),render:t=>a`<span class="chip ${t.active?"bad":"warn"}">${t.active?e("gate.alarm_active"):e("gate.alarm_ended")}</span>
              ${t.acknowledged_at?a`<span class="chip good">${e("gate.alarm_acknowledged")}</span>`:d}`},{label:e("common.actions"),render:t=>t.acknowledged_at?t.note??d:a`<button class="primary" @click=${()=>this.acknowledge(t)}>${e("gate.alarm_acknowledge")}</button>`}],this.alarms,this.narrow):a`<p class="muted">${e("gate.alarms_none")}</p>`}onEvent(e){if(!this.data){this.pendingEvents.push(e);return}if(e.visit&&(this.data=this.mergeVisit(this.data,e.visit)),e.record){let t=e.record;this.data.recent.some(i=>i.record_id===t.record_id)||(this.data={...this.data,recent:[t,...this.data.recent].slice(0,30)})}}mergeVisit(e,t){let i=t.status,o=i==="approved"||i==="on_site";return{pending:V(e.pending,t,i==="pending"),on_site:o?V(e.on_site,t,!0):U(e.on_site,t),overdue:i==="overdue"?V(e.overdue,t,!0):U(e.overdue,t),expected_today:i==="expected"?V(e.expected_today,t,!1):U(e.expected_today,t),recent:e.recent}}stop(){let e=this.unsub;this.unsub=void 0,this.live=!1,e?.then(i=>i()).catch(()=>{});let t=this.alarmsUnsub;this.alarmsUnsub=void 0,t?.then(i=>i()).catch(()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.stop()}async register(e){e.preventDefault();let t=e.target;if(!t.reportValidity())return;let i=this.reg,o=await this.run(()=>this.api.registerVisitor({name:i.name?.trim(),id_number:i.id_number?.trim(),unit:i.unit?.trim(),phone:i.phone?.trim(),purpose:i.purpose?.trim(),minutes:i.minutes?Number(i.minutes):void 0,pass_kind:i.pass_kind,card_number:i.pass_kind==="card"&&i.card_number?.trim()||void 0}));o&&(this.mine=new Set([...this.mine,o.visit_id]),this.data&&(this.data=this.mergeVisit(this.data,o)),this.reg={pass_kind:i.pass_kind??"card"},t.reset(),this.notice=this.t("gate.registered",{name:o.visitor_name,unit:o.unit}))}async checkIn(e){e.preventDefault();let t=e.target,i=this.checkin,o=i.code?.trim();if(!o&&!(i.name?.trim()&&i.phone?.trim())){this.error=this.t("gate.checkin_need");return}let n=i.card_number?.trim()||void 0,l=await this.run(()=>this.api.checkIn(o?{code:o,card_number:n}:{name:i.name.trim(),phone:i.phone.trim(),card_number:n}));if(l){let{code:c,...h}=l;this.data&&(this.data=this.mergeVisit(this.data,h)),this.checkin={},t.reset(),this.notice=this.t("gate.checked_in",{name:l.visitor_name}),c&&await F(this.t,this.t("gate.check_in"),this.t("gate.code_for",{name:l.visitor_name}),c)}}async checkOut(e){let t=this.t,i=e.pass_kind==="card",o;await u(t,{title:t("gate.check_out"),message:t("gate.check_out_confirm",{name:e.visitor_name,unit:e.unit}),confirm:t("gate.check_out"),fields:i?[{name:"card_returned",label:t("gate.card_returned"),type:"checkbox",value:!0}]:[],submit:async l=>{o=await this.api.checkOut(e.visit_id,i?!!l.card_returned:!0)}})&&o&&this.data&&(this.data=this.mergeVisit(this.data,o))}async guardVerified(e){e.preventDefault();let t=this.t,i=this.gvPerson,o=this.gv.door?.trim();if(!i||!o){this.error=t("gate.gv_need");return}let n=this.doors().find(([h])=>h===o)?.[1]??o,l;await u(t,{title:t("gate.gv_title"),message:t("gate.gv_confirm",{name:i.name,unit:i.unit??"",door:n}),confirm:t("gate.gv_open"),danger:!0,submit:async()=>{l=await this.api.guardVerifiedEntry(o,i.person_id,this.gv.note?.trim()||void 0)}})&&l&&(this.onEvent({record:l}),this.notice=t("gate.gv_done",{name:i.name}))}async verifyGoods(e){e.preventDefault();let t=this.goods.code?.trim(),i=this.goods.door?.trim();if(!t||!i){this.error=this.t("goods.need");return}let o=e.target,n=await this.run(()=>this.api.verifyGoodsPass(t,i));n&&(this.goodsResult=n,this.goods={door:i},o.reset())}async inspectGoods(e){e.preventDefault();let t=e.target;if(!t.reportValidity())return;let i=this.inspection,o=this.goodsResult?.goods_pass_id;await this.run(()=>this.api.inspectGoods({note:i.note.trim(),door_id:i.door?.trim()||void 0,goods_pass_id:o??void 0,unit:this.goodsResult?.unit??void 0}))&&(this.inspection={door:i.door??""},t.reset(),this.notice=this.t("goods.inspect_done"))}doors(){let e=new Map;for(let t of this.data?.recent??[])e.has(t.door_id)||e.set(t.door_id,t.door);return[...e.entries()]}input(e,t,i,o={}){return a`<label class="field"
      >${i}
      <input
        type=${o.type??"text"}
        ?required=${o.required}
        placeholder=${o.placeholder??""}
        autocomplete="off"
        @input=${n=>e[t]=n.target.value}
    /></label>`}doorField(e,t){let i=this.t;return this.doors().length?a`<label class="field"
          >${i("access.door")}
          <select ?required=${t} @change=${o=>e.door=o.target.value}>
            <option value="">${i("gate.choose_door")}</option>
            ${this.doors().map(([o,n])=>a`<option value=${o} ?selected=${e.door===o}>${n}</option>`)}
          </select></label
        >`:this.input(e,"door",i("gate.door_id"),{required:t})}renderGoodsResult(e){let t=this.t,i=e.status==="valid"?"good":e.status==="invalid"?"bad":"warn";return a`<div style="margin-top:8px">
      <span class="chip ${i}">${p(t,"goods.status",e.status)}</span>
      ${e.goods_pass_id?a`<dl style="display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0">
            <dt>${t("goods.items")}</dt>
            <dd>${(e.items??[]).join(", ")}${e.large_or_valuable?a` <span class="chip warn">${t("goods.large")}</span>`:d}</dd>
            <dt>${t("households.unit")}</dt>
            <dd>${e.unit??"—"}</dd>
            <dt>${t("goods.person")}</dt>
            <dd>${e.person??"—"}</dd>
            <dt>${t("goods.issued_by")}</dt>
            <dd>${e.issued_by??"—"}</dd>
            <dt>${t("goods.valid")}</dt>
            <dd>${q(this.hass,e.valid_from??null,e.valid_until??null)}</dd>
            ${e.note?a`<dt>${t("rules.note")}</dt><dd>${e.note}</dd>`:d}
          </dl>
          ${e.status==="used"?a`<p class="muted">${t("goods.used_at",{at:T(this.hass,e.used_at??null),door:e.used_door??e.used_door_id??"—"})}</p>`:d}`:d}
    </div>`}visitTable(e,t){let i=this.t;return f(i,[{label:i("visit.visitor"),render:o=>a`${o.visitor_name}${this.mine.has(o.visit_id)?a` <span class="chip">${i("gate.mine")}</span>`:d}`},{label:i("households.unit"),render:o=>o.unit},{label:i("common.status"),render:o=>a`<span
              class="chip ${o.status==="approved"||o.status==="on_site"?"good":o.status==="pending"?"warn":o.status==="expected"?"":"bad"}"
              >${o.status==="pending"?i("gate.waiting_host"):p(i,"visit_status",o.status)}</span
            >`},{label:i(t==="on_site"||t==="overdue"?"gate.since":t==="expected"?"visit.window":"visit.registered"),render:o=>t==="on_site"||t==="overdue"?T(this.hass,o.on_site_since):t==="expected"?q(this.hass,o.window_start,o.window_end):T(this.hass,o.registered_at)},{label:i("visit.pass"),render:o=>p(i,"pass",o.pass_kind)},{label:i("common.actions"),render:o=>o.status==="on_site"||o.status==="overdue"||t!=="pending"&&o.status==="approved"?a`<button @click=${()=>this.checkOut(o)}>${i("gate.check_out")}</button>`:d}],e,this.narrow)}render(){let e=this.t,t=this.data;return a`${_(this.error,this.notice)}
      <div class="row" style="margin-bottom:8px">
        <span class="spacer"></span>
        ${this.live?a`<span class="chip good">● ${e("common.live")}</span>`:a`<span class="chip">${e("common.offline")}</span>`}
      </div>
      <div class="card">
        <h3>${e("gate.alarms")}</h3>
        ${this.renderAlarms()}
      </div>
      <div class="card">
        <h3>${e("gate.register")}</h3>
        <form class="form" @submit=${this.register}>
          ${this.input(this.reg,"name",e("visit.visitor"),{required:!0})}
          ${this.input(this.reg,"id_number",e("person.id_number"),{required:!0})}
          ${this.input(this.reg,"unit",e("gate.host_unit"),{required:!0,placeholder:"3-2-501"})}
          ${this.input(this.reg,"phone",e("person.phone"),{type:"tel",required:!0})}
          ${this.input(this.reg,"purpose",e("gate.purpose"))}
          ${this.input(this.reg,"minutes",e("gate.minutes"),{type:"number"})}
          <label class="field"
            >${e("visit.pass")}
            <select
              @change=${i=>{this.reg={...this.reg,pass_kind:i.target.value}}}
            >
              ${["card","pin","qr"].map(i=>a`<option value=${i} ?selected=${this.reg.pass_kind===i}>${p(e,"pass",i)}</option>`)}
            </select></label
          >
          ${this.reg.pass_kind==="card"?this.input(this.reg,"card_number",e("gate.visitor_card")):d}
          <button class="primary" type="submit" ?disabled=${this.busy}>${e("gate.register_button")}</button>
        </form>
        <p class="muted">${e("gate.id_note")}</p>
      </div>
      <div class="card">
        <h3>${e("gate.pending")}</h3>
        ${t?this.visitTable(t.pending,"pending"):a`<p class="muted">${e("common.loading")}</p>`}
      </div>
      <div class="card">
        <h3>${e("gate.check_in")}</h3>
        <form class="form" @submit=${this.checkIn}>
          ${this.input(this.checkin,"code",e("gate.code"))}
          ${this.input(this.checkin,"name",e("visit.visitor"))}
          ${this.input(this.checkin,"phone",e("person.phone"),{type:"tel"})}
          ${this.input(this.checkin,"card_number",e("gate.visitor_card"))}
          <button class="primary" type="submit" ?disabled=${this.busy}>${e("gate.check_in")}</button>
        </form>
        <p class="muted">${e("gate.checkin_help")}</p>
      </div>
      <div class="card">
        <h3>${e("gate.on_site")}</h3>
        ${t?this.visitTable(t.on_site,"on_site"):d}
      </div>
      <div class="card">
        <h3>${e("gate.overdue")}</h3>
        ${t?this.visitTable(t.overdue,"overdue"):d}
      </div>
      <div class="card">
        <h3>${e("gate.expected")}</h3>
        ${t?this.visitTable(t.expected_today,"expected"):d}
      </div>
      <div class="card">
        <h3>${e("gate.gv_title")}</h3>
        <p class="muted">${e("gate.gv_help")}</p>
        <form class="form" @submit=${this.guardVerified}>
          ${this.doors().length?a`<label class="field"
                >${e("access.door")}
                <select required @change=${i=>this.gv.door=i.target.value}>
                  <option value="">${e("gate.choose_door")}</option>
                  ${this.doors().map(([i,o])=>a`<option value=${i} ?selected=${this.gv.door===i}>${o}</option>`)}
                </select></label
              >`:this.input(this.gv,"door",e("gate.door_id"),{required:!0})}
          <ca-person-picker
            .t=${e}
            .search=${i=>this.api.gatePeopleSearch(i)}
            label=${e("access.person")}
            @value-changed=${i=>this.gvPerson=i.detail.value}
          ></ca-person-picker>
          ${this.input(this.gv,"note",e("rules.note"))}
          <button class="primary" type="submit">${e("gate.gv_open")}</button>
        </form>
      </div>
      <div class="card">
        <h3>${e("goods.title")}</h3>
        <p class="muted">${e("goods.help")}</p>
        <form class="form" @submit=${this.verifyGoods}>
          ${this.input(this.goods,"code",e("goods.code"),{required:!0})} ${this.doorField(this.goods,!0)}
          <button class="primary" type="submit" ?disabled=${this.busy}>${e("goods.verify")}</button>
        </form>
        ${this.goodsResult?this.renderGoodsResult(this.goodsResult):d}
        <h3 style="margin-top:16px">${e("goods.inspect")}</h3>
        <p class="muted">${e("goods.inspect_help")}</p>
        <form class="form" @submit=${this.inspectGoods}>
          ${this.input(this.inspection,"note",e("goods.inspect_note"),{required:!0})}
          ${this.doorField(this.inspection,!1)}
          <button type="submit" ?disabled=${this.busy}>${e("goods.inspect")}</button>
        </form>
      </div>
      <div class="card">
        <h3>${e("gate.recent")}</h3>
        ${t?f(e,[{label:e("access.at"),render:i=>T(this.hass,i.at)},{label:e("access.door"),render:i=>i.door},{label:e("access.person"),render:i=>`${i.person_name??"—"} ${i.unit??""}`},{label:e("access.result"),render:i=>a`<span class="chip ${i.granted?"good":"bad"}"
                        >${i.granted?e("access.granted"):e("access.denied")}</span
                      >
                      ${i.reason_text}`}],t.recent,this.narrow):d}
      </div>`}};function ft(r){return r.active||!r.acknowledged_at}customElements.get("ca-gate-view")||customElements.define("ca-gate-view",Ne);var gt=20,Me=class extends m{constructor(){super(...arguments);this.unit="";this.offset=0;this.live=!1;this.reloadOnReconnect=!0;this.queued=[]}static{this.properties={...m.properties,community:{attribute:!1},unit:{state:!0},data:{state:!0},access:{state:!0},offset:{state:!0},live:{state:!0},notices:{state:!0}}}communityChanged(){let e=this.community?.units??[],t="";try{t=localStorage.getItem(`community_access.home.${this.api.entryId}.unit`)??""}catch{t=""}this.choose(e.includes(t)?t:e[0]??"")}choose(e){if(this.stop(),this.unit=e,this.data=void 0,this.access=void 0,this.notices=void 0,this.offset=0,!e)return;try{localStorage.setItem(`community_access.home.${this.api.entryId}.unit`,e)}catch{}this.queued=[];let t=this.api.subscribe("home/subscribe",{unit:e},o=>this.onEvent(o));this.unsub=t;let i=()=>{this.unsub===t&&this.run(async()=>{let[o,n]=await Promise.all([this.api.homeOverview(e),this.api.homeNotices(e)]);this.data=o,this.notices=n;let l=this.queued;this.queued=[],l.forEach(c=>this.onEvent(c))})};t.then(()=>{this.live=!0,i()},()=>{this.live=!1,i()}),this.loadAccess()}onEvent(e){let t=e.visit;if(!t)return;if(!this.data){this.queued.push(e);return}if(t.unit&&t.unit!==this.unit)return;let i=this.data;this.data={...i,pending:t.status==="pending"?V(i.pending??[],t,!0):U(i.pending??[],t),upcoming:t.status!=="pending"&&t.status!=="closed"?V(i.upcoming??[],t,!0):U(i.upcoming??[],t)}}async loadAccess(){let e=this.unit;try{let t=await this.api.homeAccess(e,{days:30,offset:this.offset,limit:gt});e===this.unit&&(this.access=t)}catch(t){this.error=t.message??String(t)}}stop(){let e=this.unsub;this.unsub=void 0,this.live=!1,e?.then(t=>t()).catch(()=>{})}disconnectedCallback(){super.disconnectedCallback(),this.stop()}async decide(e,t){let i=this.t,o;await u(i,{title:i(t?"visit.approve":"visit.deny"),message:i(t?"visit.approve_confirm":"visit.deny_confirm",{name:e.visitor_name,unit:e.unit}),confirm:i(t?"visit.approve":"visit.deny"),danger:!t,submit:async()=>{o=t?await this.api.homeApprove(this.unit,e.visit_id):await this.api.homeDeny(this.unit,e.visit_id)}})&&o&&this.onEvent({visit:o})}async preregister(){let e=this.t,t=this.unit,i;if(await u(e,{title:e("home.preregister"),confirm:e("home.preregister"),fields:[{name:"name",label:e("visit.visitor"),required:!0},{name:"phone",label:e("person.phone"),type:"tel",required:!0},{name:"start",label:e("home.arrives"),type:"datetime",required:!0},{name:"end",label:e("home.leaves"),type:"datetime",required:!0},{name:"purpose",label:e("gate.purpose")},{name:"id_number",label:e("person.id_number"),hint:e("home.id_optional")},{name:"multiple_entries",label:e("home.multiple_entries"),type:"checkbox"}],submit:async n=>{i=await this.api.preregister({unit:t,name:String(n.name??"").trim(),phone:String(n.phone??"").trim(),start:y(this.hass,String(n.start??"")),end:y(this.hass,String(n.end??"")),id_number:String(n.id_number??"").trim()||void 0,purpose:String(n.purpose??"").trim()||void 0,multiple_entries:!!n.multiple_entries})}})&&i){let{code:n,...l}=i;this.onEvent({visit:l}),this.notice=e("home.preregistered",{name:l.visitor_name}),n&&await F(e,e("home.preregister"),e("home.code_for",{name:l.visitor_name}),n)}}async issueGoods(){let e=this.t,t=this.unit,i;await u(e,{title:e("goods.issue"),confirm:e("goods.issue"),fields:[{name:"items",label:e("goods.items"),type:"textarea",required:!0,hint:e("goods.items_hint")},{name:"large_or_valuable",label:e("goods.large"),type:"checkbox"},{name:"valid_from",label:e("common.valid_from"),type:"datetime",hint:e("goods.window_hint")},{name:"valid_until",label:e("common.valid_until"),type:"datetime"},{name:"note",label:e("goods.note")}],submit:async n=>{let l=y(this.hass,String(n.valid_from??"")),c=y(this.hass,String(n.valid_until??"")),h=String(n.items??"").split(`
`).map(v=>v.trim()).filter(Boolean);i=await this.api.issueGoodsPass({unit:t,items:h,large_or_valuable:!!n.large_or_valuable,valid_from:l&&c?l:void 0,valid_until:l&&c?c:void 0,note:String(n.note??"").trim()||void 0})}})&&i&&(this.notice=e("goods.issued"),await F(e,e("goods.issue"),e("goods.code_for",{items:i.items.join(", ")}),i.code))}async reportLost(e){let t=this.t;await u(t,{title:t("card.report_lost"),message:t("home.report_lost_confirm",{masked:e.masked??""}),confirm:t("card.report_lost"),danger:!0,submit:()=>this.api.homeReportLost(this.unit,e.credential_id)})&&(this.notice=t("home.reported_lost"),await this.run(async()=>{this.data=await this.api.homeOverview(this.unit)}))}renderUnitPicker(){let e=this.t,t=this.community?.units??[];return t.length>1?a`<label class="field"
        >${e("households.unit")}
        <select @change=${i=>this.choose(i.target.value)}>
          ${t.map(i=>a`<option value=${i} ?selected=${i===this.unit}>${i}</option>`)}
        </select></label
      >`:!t.length&&this.community?.roles.includes("admin")?a`<form
        class="row"
        @submit=${i=>{i.preventDefault();let o=i.target.querySelector("input");this.choose(o?.value.trim()??"")}}
      >
        <label class="field">${e("home.admin_unit")}<input placeholder="3-2-501" required /></label>
        <button type="submit">${e("common.open")}</button>
      </form>`:a`<h2 style="margin:0">${this.unit}</h2>`}render(){let e=this.t,t=this.data,i=o=>t?.people?.find(n=>n.person_id===o)?.name??"";return a`${_(this.error,this.notice)}
      <div class="row" style="margin-bottom:12px">
        ${this.renderUnitPicker()}
        <span class="spacer"></span>
        ${this.live?a`<span class="chip good">● ${e("common.live")}</span>`:d}
        ${this.unit?a`<button class="primary" @click=${this.preregister}>${e("home.preregister")}</button>`:d}
        ${this.unit?a`<button @click=${this.issueGoods}>${e("goods.issue")}</button>`:d}
      </div>
      ${this.notices?.items.length?a`<div class="card notices">
            <h3>${e("notices.title")}</h3>
            ${this.notices.items.map(o=>a`<div style="padding:6px 0;border-bottom:1px solid var(--divider-color)">
                  <strong>${o.person_name??"—"}</strong> ${o.unit??""}
                  <span class="muted">${$(this.hass,o.start)}</span><br />
                  ${e("notices.text")}${o.reason?a`: ${o.reason}`:d}
                  <span class="muted">(${o.regulation})</span>
                </div>`)}
          </div>`:d}
      ${this.unit?d:a`<p class="muted">${e("panel.no_home")}</p>`}
      ${t?a`<div class="card">
              <h3>${e("home.waiting")}</h3>
              ${t.pending?.length?t.pending.map(o=>a`<div class="row" style="padding:8px 0;border-bottom:1px solid var(--divider-color)">
                        <strong>${o.visitor_name}</strong>
                        <span class="muted">${w(this.hass,o.registered_at)}</span>
                        <span class="spacer"></span>
                        <button class="primary" @click=${()=>this.decide(o,!0)}>${e("visit.approve")}</button>
                        <button class="danger" @click=${()=>this.decide(o,!1)}>${e("visit.deny")}</button>
                      </div>`):a`<p class="muted">${e("home.no_waiting")}</p>`}
            </div>
            <div class="card">
              <h3>${e("home.upcoming")}</h3>
              ${f(e,[{label:e("visit.visitor"),render:o=>o.visitor_name},{label:e("common.status"),render:o=>p(e,"visit_status",o.status)},{label:e("visit.window"),render:o=>q(this.hass,o.window_start,o.window_end)}],t.upcoming??[],this.narrow)}
            </div>
            <div class="card">
              <h3>${e("home.people")}</h3>
              ${f(e,[{label:e("person.name"),render:o=>o.name},{label:e("person.role"),render:o=>p(e,"role",o.role)},{label:e("common.status"),render:o=>p(e,"status",o.status)}],t.people??[],this.narrow)}
              <h3 style="margin-top:16px">${e("credentials.title")}</h3>
              ${f(e,[{label:e("person.name"),render:o=>i(o.person_id)},{label:e("credential.kind"),render:o=>p(e,"kind",o.kind)},{label:e("credential.masked"),render:o=>o.masked??"—"},{label:e("common.status"),render:o=>p(e,"cred_status",o.status)},{label:e("common.valid_until"),render:o=>$(this.hass,o.valid_until)},{label:e("common.actions"),render:o=>o.kind==="card"&&o.status==="active"?a`<button class="danger" @click=${()=>this.reportLost(o)}>${e("card.report_lost")}</button>`:d}],t.credentials??[],this.narrow)}
            </div>`:d}
      ${this.unit?a`<div class="card">
            <h3>${e("home.access")}</h3>
            ${f(e,[{label:e("access.at"),render:o=>w(this.hass,o.at)},{label:e("access.person"),render:o=>o.person_name??"—"},{label:e("access.door"),render:o=>o.door},{label:e("access.result"),render:o=>a`<span class="chip ${o.granted?"good":"bad"}"
                      >${o.granted?e("access.granted"):e("access.denied")}</span
                    >`},{label:e("access.reason"),render:o=>o.reason_text}],this.access?.items??[],this.narrow)}
            ${this.access?k(e,this.offset,gt,this.access.total,o=>{this.offset=o,this.loadAccess()}):d}
          </div>`:d}
      ${t?a`<div class="card">
            <h3>${e("statement.title")}</h3>
            <p>
              ${e("statement.balance")}: <strong>${x(this.hass,t.statement?.balance)}</strong> ·
              ${e("statement.deposits_held")}: <strong>${x(this.hass,t.statement?.deposits_held)}</strong>
            </p>
            ${f(e,[{label:e("statement.at"),render:o=>$(this.hass,o.at)},{label:e("statement.kind"),render:o=>p(e,"ledger",o.kind)},{label:e("statement.amount"),render:o=>x(this.hass,o.amount)},{label:e("statement.note"),render:o=>o.note??""}],t.statement?.entries??[],this.narrow)}
          </div>`:d}`}};customElements.get("ca-home-view")||customElements.define("ca-home-view",Me);var Ut={office:"panel.office",gate:"panel.gate",home:"panel.home"};function jt(r,s){return r==="office"?s.roles.includes("admin"):r==="gate"?s.roles.includes("guard")||s.roles.includes("admin"):s.roles.includes("resident")||s.roles.includes("admin")}var qe=class extends b{constructor(){super(...arguments);this.narrow=!1;this.entryId="";this.problem="";this.loading=!1}static{this.styles=[E,P`
      :host {
        background: var(--primary-background-color);
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        box-sizing: border-box;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        border-bottom: var(--app-header-border-bottom, none);
        position: sticky;
        top: 0;
        z-index: 2;
      }
      header h1 {
        font-size: 20px;
        font-weight: 400;
        margin: 0;
        flex: 1;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      header button {
        color: inherit;
        border-color: transparent;
        font-size: 20px;
        line-height: 1;
      }
      header select {
        max-width: 50%;
        color: var(--primary-text-color);
        background: var(--card-background-color, #fff);
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
      }
      :host([narrow]) main {
        padding: 8px;
      }
    `]}static{this.properties={hass:{attribute:!1},narrow:{type:Boolean,reflect:!0},route:{attribute:!1},panel:{attribute:!1},communities:{state:!0},entryId:{state:!0},problem:{state:!0}}}get view(){let e=this.panel?.config?.view;return e==="gate"||e==="home"?e:"office"}get storageKey(){return`community_access.${this.view}.entry`}willUpdate(e){e.has("hass")&&this.hass&&(this.api&&(this.api.hass=this.hass),!this.communities&&!this.loading&&this.load())}async load(){this.loading=!0;try{let e=await nt(this.hass);this.communities=e.filter(o=>jt(this.view,o));let t="";try{t=localStorage.getItem(this.storageKey)??""}catch{t=""}let i=this.communities.find(o=>o.entry_id===t)??this.communities[0];i&&this.choose(i.entry_id)}catch(e){this.problem=A(e)}finally{this.loading=!1}}choose(e){this.entryId=e,this.api=new oe(this.hass,e);try{localStorage.setItem(this.storageKey,e)}catch{}}toggleMenu(){this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}renderView(e){let t=this.api;if(!t)return d;switch(this.view){case"gate":return a`<ca-gate-view .hass=${this.hass} .api=${t} .narrow=${this.narrow}></ca-gate-view>`;case"home":return a`<ca-home-view
          .hass=${this.hass}
          .api=${t}
          .narrow=${this.narrow}
          .community=${e}
        ></ca-home-view>`;default:return a`<ca-office-view .hass=${this.hass} .api=${t} .narrow=${this.narrow}></ca-office-view>`}}render(){if(!this.hass)return d;let e=ne(this.hass.language),t=this.communities??[],i=t.find(o=>o.entry_id===this.entryId);return a`<header>
        ${this.narrow?a`<button aria-label=${e("panel.menu")} @click=${this.toggleMenu}>☰</button>`:d}
        <h1>${e(Ut[this.view])}${i&&t.length===1?` · ${i.title}`:""}</h1>
        ${t.length>1?a`<select
              aria-label=${e("panel.community")}
              @change=${o=>this.choose(o.target.value)}
            >
              ${t.map(o=>a`<option value=${o.entry_id} ?selected=${o.entry_id===this.entryId}>${o.title}</option>`)}
            </select>`:d}
      </header>
      <main>
        ${this.problem?a`<div class="banner" role="alert">${this.problem}</div>`:d}
        ${this.communities===void 0&&!this.problem?a`<p class="muted">${e("common.loading")}</p>`:d}
        ${this.communities&&!this.communities.length?a`<div class="card">${e(this.view==="home"?"panel.no_home":"panel.no_community")}</div>`:d}
        ${i?this.renderView(i):d}
      </main>`}};customElements.get("community-access-panel")||customElements.define("community-access-panel",qe);export{qe as CommunityAccessPanel};
