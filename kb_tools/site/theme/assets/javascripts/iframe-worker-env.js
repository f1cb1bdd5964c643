/* The worker environment iframe-worker-shim.js gives the search worker's iframe (from
   iframe-worker 1.0.4, MIT, (c) 2020-2022 Martin Donath), as a file so that no inline
   script is needed. */
"use strict";(()=>{var u=document.currentScript.dataset.url;
self.postMessage=function(s,n){parent.postMessage(s,n||"*")};
self.importScripts=function(...s){return s.reduce((n,e)=>n.then(()=>new Promise(r=>{let t=document.createElement("script");t.src=e,t.onload=r,document.body.appendChild(t)})),Promise.resolve())};
addEventListener("error",({error})=>{parent.dispatchEvent(new ErrorEvent("error",{filename:u,error}))});})();
